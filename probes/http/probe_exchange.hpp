#pragma once
// One recorded HTTP conversation of a probe: what was asked (never the credential), what came
// back (status, redacted headers, capped body, timing), what the body says (ErrorInfo), or why
// nothing usable came back (transport Error). Every probe result embeds one; to_json() is the
// artifact form.
#include <optional>
#include <string>
#include <string_view>

#include "probes/envelope/error_info.hpp"
#include "probes/http/transport.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::probes {

// How a probe presents its key. Gateway default is bearer; x_api_key is the variant the
// `gateway_rejects_x_api_key` cells exercise; admin calls use x_api_key.
enum class AuthStyle { none, bearer, x_api_key };

[[nodiscard]] const char* to_string(AuthStyle style) noexcept;
// Appends the auth header for `style` ("Authorization: Bearer <key>" / "x-api-key: <key>").
void add_auth_header(Headers& headers, AuthStyle style, std::string_view key);

// Bytes of a response body kept in an artifact; longer bodies are cut and flagged.
inline constexpr std::size_t k_artifact_body_cap = 64 * 1024;

struct RequestSummary {
    std::string target;  // "gateway" | "upstream" | "admin"
    std::string method;
    std::string url;  // no credentials (keys never travel in URLs here)
    AuthStyle auth = AuthStyle::none;
    std::string body;  // the request JSON, free of secrets by construction
    friend bool operator==(const RequestSummary&, const RequestSummary&) = default;
};

struct ProbeExchange {
    RequestSummary request;
    std::optional<HttpResponse> response;           // any HTTP answer, partial if cut_short
    std::optional<envelope::ErrorInfo> error_info;  // what the body (or SSE) reports, if an error
    std::optional<util::Error> transport_error;     // set when no (complete) answer arrived

    [[nodiscard]] int status() const { return response ? response->status : 0; }
    [[nodiscard]] bool answered() const { return response.has_value(); }
    // The transport-level failure, whether reported as an Error or as a cut-short response.
    [[nodiscard]] std::optional<util::ErrorCode> failure() const;
    // {request:{target,method,url,auth_style,body}, response:{status,status_line,headers,
    //  body (capped, valid UTF-8), body_bytes, body_truncated, body_json?, cut_short?, timing},
    //  error_info?, transport_error?:{code,message,context}}
    [[nodiscard]] util::json::value to_json() const;
    // The *.headers.txt artifact text: status line + redacted headers, or a one-line note when
    // no answer arrived.
    [[nodiscard]] std::string headers_text() const;
};

// What a smoke verdict rests on, as a probe result (ProbeExchange) and the classifier's
// observation of it both hold it.
struct AnswerFacts {
    bool whole = false;       // an answer arrived and the transport did not cut it short
    int status = 0;           // HTTP status (0: none)
    bool error_body = false;  // the body (or a stream event) reports an error
    bool payload = true;      // the body is the payload the probe asked for
};

// The one definition of a passing smoke exchange, used by the probes' ok() and by the
// classifier: a whole 2xx answer that carries the payload asked for and no error body.
[[nodiscard]] bool answer_ok(const AnswerFacts& facts);

// Sends `request` and records it; `summary` describes it for the artifact. Error bodies are
// parsed with envelope::parse_body whatever the status.
[[nodiscard]] ProbeExchange run_exchange(HttpTransport& http, const HttpRequest& request, RequestSummary summary);

// Joins a base URL and an API path the way sub2api joins account base URLs: trailing slashes
// are dropped and a base already ending in "/v1" does not get a second "/v1"
// (join_api_url("https://x/v1", "/v1/models") == "https://x/v1/models").
[[nodiscard]] std::string join_api_url(std::string_view base, std::string_view path);

[[nodiscard]] util::json::value to_json(const Timing& timing);
[[nodiscard]] util::json::value to_json(const util::Error& error);

}  // namespace crm::probes
