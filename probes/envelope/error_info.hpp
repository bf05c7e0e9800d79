#pragma once
// The normalized view of an HTTP body (or an SSE event's data) that the probes record and the
// classifier reads. Extraction is faithful and provider-neutral: it reports what the body says
// (shape, type, code, message, vendor code) and never decides what that means.
#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace crm::probes::envelope {

enum class BodyShape {
    empty,                     // no bytes (or whitespace only)
    sub2api_success,           // {code:0, message, data}
    sub2api_handler_error,     // {code:<int != 0>, message, reason?, metadata?}
    sub2api_middleware_error,  // {code:"STRING", message}
    error_string,              // {error:"mixed_channel_warning", message}
    openai_error,              // {error:{type, code, message, param}}
    anthropic_error,           // {type:"error", error:{type, message, http_code?}} (MiniMax B)
    minimax_base_resp,         // {base_resp:{status_code != 0, status_msg}} (usually HTTP 200)
    json_other,                // any other JSON (a chat completion, a model list, ...)
    sse,                       // a text/event-stream body ("data:" / "event:" / ":" lines)
    html,                      // an HTML page (WAF, proxy, CDN error page)
    text,                      // anything else
};

[[nodiscard]] const char* to_string(BodyShape shape) noexcept;

struct ErrorInfo {
    BodyShape shape = BodyShape::empty;
    std::string type;         // error.type (OpenAI / Anthropic); empty for sub2api shapes
    std::string code;         // error.code as text; sub2api middleware code; handler int code
                              // as text; base_resp status_code as text
    std::string reason;       // sub2api handler `reason` (UPPER_SNAKE machine code)
    std::string message;      // error.message / message / status_msg / page title / text head
    std::string param;        // OpenAI error.param as text
    std::string vendor_code;  // trailing "(NNNN)" of the message, or base_resp status_code
    std::string request_id;   // top-level request_id when the body carries one
    int http_status = 0;      // the HTTP status the body arrived with (0 = unknown / SSE)
    int body_http_code = 0;   // MiniMax error.http_code, when present
    friend bool operator==(const ErrorInfo&, const ErrorInfo&) = default;
};

// Stable JSON for artifacts: every field, shape as its name.
[[nodiscard]] boost::json::value to_json(const ErrorInfo& info);

// The digits of a trailing "(NNNN)" (3 to 6 digits, optional trailing spaces) in `message`;
// empty when there is none. "insufficient balance (1008)" -> "1008".
[[nodiscard]] std::string trailing_vendor_code(std::string_view message);

// Copies `s`, replacing every byte that is not part of a well-formed UTF-8 sequence with '?',
// cut to at most `limit` bytes on a character boundary. Artifacts stay valid JSON text.
[[nodiscard]] std::string to_valid_utf8(std::string_view s, std::size_t limit);

}  // namespace crm::probes::envelope
