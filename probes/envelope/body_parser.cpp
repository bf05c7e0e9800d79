// Why so defensive: these bodies come from hosts and providers we do not control, and the fuzz
// test feeds arbitrary bytes. Every number is converted without casts that could overflow, every
// string copied into ErrorInfo is made valid UTF-8 and bounded, so artifacts stay valid JSON.
#include "probes/envelope/body_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace crm::probes::envelope {
namespace {

namespace json = boost::json;

constexpr std::size_t k_max_field = 2000;  // bytes kept per extracted text field
constexpr std::size_t k_text_head = 300;   // bytes of a text body kept as its message

std::string clean_utf8(std::string_view s, std::size_t limit = k_max_field) { return to_valid_utf8(s, limit); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

const json::value* member(const json::value& v, std::string_view key) {
    if (!v.is_object()) {
        return nullptr;
    }
    return v.as_object().if_contains(key);
}

// Scalars as text: strings verbatim, integers in decimal, doubles as JSON, null as "".
std::string scalar_text(const json::value* v) {
    if (v == nullptr || v->is_null()) {
        return {};
    }
    if (v->is_string()) {
        return clean_utf8(v->get_string());
    }
    if (v->is_int64()) {
        return std::to_string(v->get_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->get_uint64());
    }
    if (v->is_bool()) {
        return v->get_bool() ? "true" : "false";
    }
    return clean_utf8(json::serialize(*v));
}

std::string string_field(const json::value& v, std::string_view key) {
    const json::value* p = member(v, key);
    return p != nullptr && p->is_string() ? clean_utf8(p->get_string()) : std::string{};
}

// An integer status from an int, an integral double or a decimal string; nullopt otherwise.
std::optional<std::int64_t> integer_of(const json::value* v) {
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64()) {
        const auto u = v->get_uint64();
        return u <= static_cast<std::uint64_t>(INT64_MAX) ? std::optional<std::int64_t>(static_cast<std::int64_t>(u))
                                                          : std::nullopt;
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
            return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
    }
    if (v->is_string()) {
        const std::string_view s = v->get_string();
        std::int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc{} && ptr == s.data() + s.size() && !s.empty()) {
            return out;
        }
    }
    return std::nullopt;
}

int small_int(std::optional<std::int64_t> v) { return v && *v >= 0 && *v <= 999 ? static_cast<int>(*v) : 0; }

bool istarts_with(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

std::size_t ifind(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) {
        return std::string_view::npos;
    }
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (istarts_with(hay.substr(i), needle)) {
            return i;
        }
    }
    return std::string_view::npos;
}

bool looks_like_html(std::string_view t) {
    if (t.empty() || t.front() != '<') {
        return false;
    }
    const auto head = t.substr(0, 1024);
    return ifind(head, "<html") != std::string_view::npos || ifind(head, "<!doctype") != std::string_view::npos ||
           ifind(head, "<head") != std::string_view::npos || ifind(head, "<body") != std::string_view::npos ||
           ifind(head, "<title") != std::string_view::npos;
}

bool looks_like_sse(std::string_view t) {
    return t.starts_with("data:") || t.starts_with("event:") || t.starts_with(":") || t.starts_with("id:") ||
           t.starts_with("retry:");
}

std::string html_title(std::string_view t) {
    const auto open = ifind(t, "<title");
    if (open == std::string_view::npos) {
        return {};
    }
    const auto gt = t.find('>', open);
    if (gt == std::string_view::npos) {
        return {};
    }
    const auto rest = t.substr(gt + 1);
    const auto close = ifind(rest, "</title");
    return clean_utf8(trim(rest.substr(0, close == std::string_view::npos ? 200 : close)));
}

ErrorInfo base_info(BodyShape shape, const json::value& doc, int http_status) {
    ErrorInfo info;
    info.shape = shape;
    info.http_status = http_status;
    info.request_id = string_field(doc, "request_id");
    return info;
}

}  // namespace

std::string trailing_vendor_code(std::string_view message) {
    std::string_view m = message;
    while (!m.empty() && (m.back() == ' ' || m.back() == '\t' || m.back() == '\n')) {
        m.remove_suffix(1);
    }
    if (m.size() < 5 || m.back() != ')') {
        return {};
    }
    m.remove_suffix(1);
    std::size_t digits = 0;
    while (digits < m.size() && digits <= 6 && std::isdigit(static_cast<unsigned char>(m[m.size() - 1 - digits]))) {
        ++digits;
    }
    if (digits < 3 || digits > 6 || digits >= m.size() || m[m.size() - 1 - digits] != '(') {
        return {};
    }
    return std::string(m.substr(m.size() - digits));
}

BodyShape json_shape(const json::value& doc) {
    if (!doc.is_object()) {
        return BodyShape::json_other;
    }
    if (const json::value* br = member(doc, "base_resp"); br != nullptr && br->is_object()) {
        const json::value* sc = member(*br, "status_code");
        const auto code = integer_of(sc);
        if ((code && *code != 0) || (sc != nullptr && sc->is_string() && !code)) {
            return BodyShape::minimax_base_resp;
        }
    }
    const json::value* err = member(doc, "error");
    const json::value* type = member(doc, "type");
    if (err != nullptr && err->is_object()) {
        if (type != nullptr && type->is_string() && type->get_string() == "error") {
            return BodyShape::anthropic_error;
        }
        return BodyShape::openai_error;
    }
    if (err != nullptr && err->is_string()) {
        return BodyShape::error_string;
    }
    if (const json::value* code = member(doc, "code"); code != nullptr) {
        if (code->is_string()) {
            return BodyShape::sub2api_middleware_error;
        }
        if (code->is_number()) {
            const auto n = integer_of(code);
            return n && *n == 0 ? BodyShape::sub2api_success : BodyShape::sub2api_handler_error;
        }
    }
    return BodyShape::json_other;
}

std::optional<ErrorInfo> extract_error_json(const json::value& doc, int http_status) {
    const BodyShape shape = json_shape(doc);
    ErrorInfo info = base_info(shape, doc, http_status);
    switch (shape) {
        case BodyShape::minimax_base_resp: {
            const json::value& br = *member(doc, "base_resp");
            info.code = scalar_text(member(br, "status_code"));
            info.vendor_code = info.code;
            info.message = string_field(br, "status_msg");
            return info;
        }
        case BodyShape::anthropic_error:
        case BodyShape::openai_error: {
            const json::value& err = *member(doc, "error");
            info.type = string_field(err, "type");
            info.code = scalar_text(member(err, "code"));
            info.message = string_field(err, "message");
            info.param = scalar_text(member(err, "param"));
            info.body_http_code = small_int(integer_of(member(err, "http_code")));
            info.vendor_code = trailing_vendor_code(info.message);
            return info;
        }
        case BodyShape::error_string:
            info.code = string_field(doc, "error");
            info.message = string_field(doc, "message");
            return info;
        case BodyShape::sub2api_handler_error:
        case BodyShape::sub2api_middleware_error:
            info.code = scalar_text(member(doc, "code"));
            info.reason = string_field(doc, "reason");
            info.message = string_field(doc, "message");
            info.vendor_code = trailing_vendor_code(info.message);
            return info;
        case BodyShape::sub2api_success:
        case BodyShape::json_other:
        default:
            break;
    }
    if (http_status < 400) {
        return std::nullopt;
    }
    for (std::string_view key : {"message", "msg", "detail", "error_msg"}) {
        if (std::string m = string_field(doc, key); !m.empty()) {
            info.message = std::move(m);
            break;
        }
    }
    info.vendor_code = trailing_vendor_code(info.message);
    return info;
}

ParsedBody parse_body(std::string_view body, int http_status) {
    ParsedBody out;
    const std::string_view t = trim(body);
    if (t.empty()) {
        out.shape = BodyShape::empty;
    } else if (t.front() == '{' || t.front() == '[') {
        boost::system::error_code ec;
        json::parse_options opts;
        opts.max_depth = 64;
        json::value doc = json::parse(t, ec, {}, opts);
        if (!ec) {
            out.shape = json_shape(doc);
            out.error = extract_error_json(doc, http_status);
            out.json = std::move(doc);
            return out;
        }
        out.shape = BodyShape::text;
    } else if (looks_like_html(t)) {
        out.shape = BodyShape::html;
    } else if (looks_like_sse(t)) {
        out.shape = BodyShape::sse;
    } else {
        out.shape = BodyShape::text;
    }
    if (http_status >= 400) {
        ErrorInfo info;
        info.shape = out.shape;
        info.http_status = http_status;
        info.message = out.shape == BodyShape::html ? html_title(t) : clean_utf8(t, k_text_head);
        info.vendor_code = out.shape == BodyShape::html ? std::string{} : trailing_vendor_code(t);
        out.error = std::move(info);
    }
    return out;
}

std::optional<ErrorInfo> extract_error(std::string_view body, int http_status) {
    return parse_body(body, http_status).error;
}

}  // namespace crm::probes::envelope
