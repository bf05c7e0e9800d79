#pragma once
// The HTTP seam. Every HTTP conversation crm-accept has (admin API, gateway, upstream) goes
// through HttpTransport::send. The real implementation is libcurl (make_curl_transport, the only
// place that includes <curl/curl.h>); unit tests use recording fakes.
//
// Contract of send():
// - returns an HttpResponse for *any* HTTP answer, whatever its status (4xx/5xx are evidence,
//   not errors);
// - returns Error{connect_failed|timeout|stalled|too_large|interrupted|protocol} when no complete
//   answer arrived (protocol: headers arrived but the connection ended mid-body). For
//   stalled/too_large (and timeout/interrupted/protocol), the partial response received so far is
//   still reported via HttpResponse with `cut_short` set when `keep_partial` is set (the SSE stall
//   artifact needs it);
// - the idle watchdog counts *payload* bytes only: SSE comment lines (": keep-alive") and blank
//   keep-alive lines do not reset it, so an endless keep-alive stream ends as `stalled`;
// - header dumps (`header_dump`) never contain credentials: Authorization / x-api-key /
//   x-goog-api-key / Cookie / Set-Cookie values are replaced by the redaction marker.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace crm::probes {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Timeouts {
    std::chrono::milliseconds connect{3000};
    std::chrono::milliseconds total{30000};
    std::chrono::milliseconds idle{10000};  // no payload bytes for this long => stalled
    friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    Timeouts timeouts{};
    std::size_t max_response_bytes = 8 * 1024 * 1024;
    bool keep_partial = false;  // report partial body on stalled / too_large
    // Optional: called with each chunk as it arrives (SSE consumers). Return false to abort.
    // A chunk may split lines or events at any byte. Aborting ends send() as `interrupted`
    // (with the partial response when keep_partial is set).
    std::function<bool(std::string_view chunk)> on_chunk;
    // Optional: polled during the transfer (about every second and on every chunk); when it
    // becomes true the transfer ends as `interrupted` (SIGINT/SIGTERM plumbing).
    const std::atomic<bool>* cancel = nullptr;
};

struct Timing {
    double dns_ms = 0;
    double connect_ms = 0;
    double first_byte_ms = 0;
    double total_ms = 0;
    friend bool operator==(const Timing&, const Timing&) = default;
};

struct HttpResponse {
    int status = 0;
    std::string status_line;  // "HTTP/1.1 200 OK"
    Headers headers;          // as received (values intact; use header_dump for artifacts)
    std::string body;
    Timing timing;
    std::optional<util::ErrorCode> cut_short;  // set when keep_partial and the body is partial

    // Case-insensitive header lookup; nullopt when absent.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    // Status line + headers, credential values redacted; the text of *.headers.txt artifacts.
    [[nodiscard]] std::string header_dump() const;
};

class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    [[nodiscard]] virtual util::Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// libcurl implementation. Thread-safe: each send() uses its own easy handle (connections are
// reused through a shared connection cache per transport).
// - connect_failed: DNS / TCP connect / TLS failure; timeout: connect or total timeout elapsed;
//   stalled: no payload byte (see is_payload rules in docs/PROBES.md) for `idle`;
//   too_large: body would exceed max_response_bytes (the partial body keeps the first
//   max_response_bytes bytes); interrupted: on_chunk returned false or *cancel became true.
// - Redirects are not followed (a 3xx is an answer). No content decoding is requested.
// - The watchdog's resolution is about one second (libcurl's idle progress-callback period).
[[nodiscard]] std::unique_ptr<HttpTransport> make_curl_transport();

// True for header names whose values are credentials (case-insensitive).
[[nodiscard]] bool is_credential_header(std::string_view name);

}  // namespace crm::probes
