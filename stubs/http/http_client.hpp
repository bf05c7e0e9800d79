#pragma once
// The stub host's outgoing HTTP/1.1 client (host -> upstream), also used by the stub tests and
// the benchmark. Plain http:// only. Fails with connect_failed / timeout / protocol.
// `on_chunk`, when set, receives body bytes as they arrive (SSE relay); returning false aborts
// the call (the reply is then marked incomplete).
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "stubs/http/http_types.hpp"
#include "util/error.hpp"

namespace crm::stubs {

struct ClientRequest {
    std::string method = "GET";
    std::string url;  // http://host:port/path?query
    HeaderList headers;
    std::string body;
    std::chrono::milliseconds timeout{30000};
    std::function<bool(std::string_view)> on_chunk;
    // Called once the status line and headers arrived, before any on_chunk.
    std::function<void(const ClientReply&)> on_headers;
    // When set and it becomes true, the call is aborted within ~100 ms (owner shutting down).
    const std::atomic<bool>* cancel = nullptr;
};

[[nodiscard]] util::Result<ClientReply> http_call(const ClientRequest& request);

// Splits "http://h:p/base" into host, port, path prefix. Fails with invalid_input.
struct ParsedUrl {
    std::string host;
    std::string port;
    std::string path;  // starts with '/', "/" when empty
};
[[nodiscard]] util::Result<ParsedUrl> parse_http_url(std::string_view url);

}  // namespace crm::stubs
