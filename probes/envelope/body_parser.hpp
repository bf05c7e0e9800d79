#pragma once
// Body classification and error extraction shared by the probes and the classifier.
//
// Recognized shapes, checked in this order on a JSON object:
//   1. base_resp.status_code != 0          -> minimax_base_resp (at any HTTP status)
//   2. type == "error" && error is object  -> anthropic_error
//   3. error is object                     -> openai_error
//   4. error is string                     -> error_string
//   5. code is integer 0                   -> sub2api_success (not an error)
//      code is integer != 0                -> sub2api_handler_error
//      code is string                      -> sub2api_middleware_error
//   6. anything else                       -> json_other (an error only at HTTP >= 400, message
//      taken from message / msg / detail / error_msg when present)
// Non-JSON bodies are sse, html (message = <title>) or text (message = first 300 bytes); they
// are errors only at HTTP >= 400. Leading whitespace (DeepSeek's busy-wait blank lines) is
// ignored. Never throws; any byte sequence is accepted.
//
// This header and error_info.hpp depend only on Boost.JSON (not util/), so the libFuzzer build
// (clang, whose libstdc++ pairing may lack std::expected) can compile them standalone.
#include <boost/json.hpp>
#include <optional>
#include <string_view>

#include "probes/envelope/error_info.hpp"

namespace crm::probes::envelope {

struct ParsedBody {
    BodyShape shape = BodyShape::empty;
    std::optional<boost::json::value> json;  // the parsed document when the body was JSON
    std::optional<ErrorInfo> error;          // set when the body (or status) reports an error
};

// `http_status` is the status the body arrived with; 0 when unknown (e.g. an SSE event's data).
[[nodiscard]] ParsedBody parse_body(std::string_view body, int http_status);

// Shorthand for parse_body(...).error.
[[nodiscard]] std::optional<ErrorInfo> extract_error(std::string_view body, int http_status);

// Error extraction from an already parsed JSON value (SSE event data, account-test events).
// Returns nullopt for success shapes and for json_other at http_status < 400.
[[nodiscard]] std::optional<ErrorInfo> extract_error_json(const boost::json::value& doc, int http_status);

// The shape of a parsed JSON value, by the rules above.
[[nodiscard]] BodyShape json_shape(const boost::json::value& doc);

}  // namespace crm::probes::envelope
