#include "probes/sub2api/envelope.hpp"

#include <fmt/format.h>

namespace crm::probes::sub2api {

using util::ErrorCode;

namespace {

constexpr std::size_t k_snippet_chars = 120;

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(std::min(text.size(), k_snippet_chars));
    for (char c : text.substr(0, k_snippet_chars)) {
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    if (text.size() > k_snippet_chars) out += "...";
    return out;
}

ErrorCode code_for(int status, bool admin_auth) {
    if (status == 423) return ErrorCode::host_rejected;
    if ((status == 401 || status == 403) && admin_auth) return ErrorCode::host_rejected;
    if (status == 404) return ErrorCode::not_found;
    if (status == 409) return ErrorCode::conflict;
    return ErrorCode::http_status;
}

util::Error make_error(ErrorCode code, const HttpResponse& r, const EnvelopeRequest& req, std::string_view reason,
                       std::string_view message) {
    util::Error e;
    e.code = code;
    e.http_status = r.status;
    e.context = std::string(req.url);
    e.remote_code = std::string(reason);
    if (reason.empty()) {
        e.message = fmt::format("{} {} -> {}: {}", req.method, req.path, r.status, message);
    } else {
        e.message = fmt::format("{} {} -> {} {}: {}", req.method, req.path, r.status, reason, message);
    }
    return e;
}

std::string string_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

util::Result<json::value> parse_envelope(const HttpResponse& r, const EnvelopeRequest& req) {
    boost::system::error_code ec;
    json::value body = json::parse(r.body, ec);
    if (ec || !body.is_object()) {
        auto what = r.body.empty() ? std::string("empty body")
                                   : fmt::format("non-JSON body from {}: {}", req.url, one_line(r.body));
        if (!ec && !body.is_object()) what = fmt::format("JSON body from {} is not an object", req.url);
        return std::unexpected(make_error(ErrorCode::protocol, r, req, {}, what));
    }
    const auto& o = body.get_object();
    const auto* code = o.if_contains("code");
    std::string message = string_field(o, "message");
    const bool success_status = r.status >= 200 && r.status < 300;

    if (code && (code->is_int64() || code->is_uint64())) {
        auto n = code->is_int64() ? code->get_int64() : static_cast<std::int64_t>(code->get_uint64());
        if (n == 0 && success_status) {
            const auto* data = o.if_contains("data");
            return data ? *data : json::value(nullptr);
        }
        if (success_status) {
            return std::unexpected(make_error(ErrorCode::protocol, r, req, string_field(o, "reason"),
                                              fmt::format("envelope code {} on a 2xx answer: {}", n, message)));
        }
        return std::unexpected(
            make_error(code_for(r.status, req.admin_auth), r, req, string_field(o, "reason"), message));
    }
    if (code && code->is_string() && !success_status) {
        return std::unexpected(make_error(code_for(r.status, req.admin_auth), r, req, code->get_string(), message));
    }
    if (const auto* err = o.if_contains("error"); err && err->is_string() && !success_status) {
        return std::unexpected(make_error(code_for(r.status, req.admin_auth), r, req, err->get_string(), message));
    }
    return std::unexpected(
        make_error(ErrorCode::protocol, r, req, {},
                   fmt::format("JSON from {} is not a sub2api envelope: {}", req.url, one_line(r.body))));
}

}  // namespace crm::probes::sub2api
