#include "probes/http/probe_exchange.hpp"

#include "probes/envelope/body_parser.hpp"
#include "util/secrets.hpp"

namespace crm::probes {

namespace json = util::json;

const char* to_string(AuthStyle style) noexcept {
    switch (style) {
        case AuthStyle::none:
            return "none";
        case AuthStyle::bearer:
            return "bearer";
        case AuthStyle::x_api_key:
            return "x-api-key";
    }
    return "unknown";
}

void add_auth_header(Headers& headers, AuthStyle style, std::string_view key) {
    switch (style) {
        case AuthStyle::none:
            break;
        case AuthStyle::bearer:
            headers.emplace_back("Authorization", "Bearer " + std::string(key));
            break;
        case AuthStyle::x_api_key:
            headers.emplace_back("x-api-key", std::string(key));
            break;
    }
}

std::optional<util::ErrorCode> ProbeExchange::failure() const {
    if (transport_error) {
        return transport_error->code;
    }
    if (response && response->cut_short) {
        return response->cut_short;
    }
    return std::nullopt;
}

json::value to_json(const Timing& timing) {
    return json::object{{"dns_ms", timing.dns_ms},
                        {"connect_ms", timing.connect_ms},
                        {"first_byte_ms", timing.first_byte_ms},
                        {"total_ms", timing.total_ms}};
}

json::value to_json(const util::Error& error) {
    return json::object{{"code", util::to_string(error.code)}, {"message", error.message}, {"context", error.context}};
}

json::value ProbeExchange::to_json() const {
    json::object out;
    out["request"] = json::object{{"target", request.target},
                                  {"method", request.method},
                                  {"url", request.url},
                                  {"auth_style", to_string(request.auth)},
                                  {"body", request.body}};
    if (response) {
        json::object r;
        r["status"] = response->status;
        r["status_line"] = envelope::to_valid_utf8(response->status_line, 512);
        json::array headers;
        for (const auto& [name, value] : response->headers) {
            headers.push_back(
                json::array{json::string(envelope::to_valid_utf8(name, 256)),
                            json::string(is_credential_header(name) ? std::string(util::k_redacted)
                                                                    : envelope::to_valid_utf8(value, 4096))});
        }
        r["headers"] = std::move(headers);
        r["body_bytes"] = response->body.size();
        r["body_truncated"] = response->body.size() > k_artifact_body_cap;
        r["body"] = envelope::to_valid_utf8(response->body, k_artifact_body_cap);
        if (response->body.size() <= k_artifact_body_cap) {
            auto parsed = envelope::parse_body(response->body, response->status);
            if (parsed.json) {
                r["body_json"] = std::move(*parsed.json);
            }
        }
        if (response->cut_short) {
            r["cut_short"] = util::to_string(*response->cut_short);
        }
        r["timing"] = probes::to_json(response->timing);
        out["response"] = std::move(r);
    } else {
        out["response"] = nullptr;
    }
    out["error_info"] = error_info ? envelope::to_json(*error_info) : json::value(nullptr);
    out["transport_error"] = transport_error ? probes::to_json(*transport_error) : json::value(nullptr);
    return out;
}

std::string ProbeExchange::headers_text() const {
    if (response) {
        std::string text = response->header_dump();
        if (response->cut_short) {
            text += "# cut short: ";
            text += util::to_string(*response->cut_short);
            text += '\n';
        }
        return text;
    }
    std::string text = "# no HTTP answer";
    if (transport_error) {
        text += ": ";
        text += util::to_string(transport_error->code);
        text += " (";
        text += transport_error->message;
        text += ")";
    }
    text += '\n';
    return text;
}

ProbeExchange run_exchange(HttpTransport& http, const HttpRequest& request, RequestSummary summary) {
    ProbeExchange ex;
    ex.request = std::move(summary);
    auto result = http.send(request);
    if (!result) {
        ex.transport_error = result.error();
        return ex;
    }
    ex.response = std::move(*result);
    ex.error_info = envelope::extract_error(ex.response->body, ex.response->status);
    return ex;
}

std::string join_api_url(std::string_view base, std::string_view path) {
    while (!base.empty() && base.back() == '/') {
        base.remove_suffix(1);
    }
    if (!path.empty() && path.front() != '/') {
        return std::string(base) + "/" + std::string(path);
    }
    if (base.ends_with("/v1") && (path == "/v1" || path.starts_with("/v1/"))) {
        path.remove_prefix(3);
    }
    return std::string(base) + std::string(path);
}

bool answer_ok(const AnswerFacts& facts) {
    return facts.whole && facts.status >= 200 && facts.status < 300 && !facts.error_body && facts.payload;
}

}  // namespace crm::probes
