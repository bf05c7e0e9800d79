#pragma once
// Interpretation of one sub2api panel answer (the sub2api response envelope). Pure: no IO.
//
// - 2xx + {"code":0, "data":...}            -> data (json null when absent)
// - handler error {code:<int>, message, reason?, metadata?}
// - middleware error {code:"STRING", message}
// - account-create mixed-channel shape {error:"mixed_channel_warning", message}
// - anything that is not JSON, or JSON that is none of the above -> ErrorCode::protocol naming
//   the URL (a proxy's HTML 502, gin's text "404 page not found" for an absent route, ...)
//
// Errors carry http_status and the one-line message
//   "<METHOD> <path> -> <status> <REASON>: <message>"
// (REASON = `reason`, else the string code, else the `error` string, else omitted). REASON is
// also the error's `remote_code`, which stays empty for answers that are not envelopes.
// ErrorCode mapping: 401/403 on an admin-auth route and 423 -> host_rejected, 404 -> not_found,
// 409 -> conflict, any other status -> http_status. `context` holds the URL.
#include <string>
#include <string_view>

#include "probes/http/transport.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::probes::sub2api {

namespace json = boost::json;

// Owns its strings: callers build `url` from temporaries (base URL + path), and a view into
// such a temporary dangled once, putting freed heap bytes into capability artifacts.
struct EnvelopeRequest {
    std::string method;
    std::string path;         // without query, as shown in messages
    std::string url;          // full URL, for context / protocol errors
    bool admin_auth = false;  // 401/403 mean "admin credentials rejected"
};

[[nodiscard]] util::Result<json::value> parse_envelope(const HttpResponse& response, const EnvelopeRequest& request);

}  // namespace crm::probes::sub2api
