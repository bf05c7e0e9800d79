#pragma once
// The stub host's outgoing HTTP/1.1 client (host -> upstream), also used by the stub tests and
// the benchmark. Plain http:// only. Fails with connect_failed / timeout / protocol.
// `on_chunk`, when set, receives body bytes as they arrive (SSE relay); returning false aborts
// the call (the reply is then marked incomplete).
//
// A call runs on the calling thread: its socket operations are asynchronous on an io_context
// private to that thread, driven until the call completes, with one steady_timer per call for the
// whole-call deadline and the `cancel` flag. No thread is created per call.
//
// With a ConnectionPool, a call takes an idle keep-alive connection to the same host:port when
// there is one and gives it back when the answer was read completely and the server kept it
// open. A pooled connection the server closed meanwhile is detected before use, or retried once
// on a fresh connection when it fails before any byte of the answer arrived.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Idle keep-alive connections per "host:port". Thread-safe. Owns the idle sockets (closed on
// destruction); a connection in use belongs to its call. At most `max_idle_per_host` idle
// connections are kept per host:port; surplus ones are closed.
class ConnectionPool {
  public:
    explicit ConnectionPool(std::size_t max_idle_per_host = 64) : m_max_idle(max_idle_per_host) {}
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // An idle connection's descriptor, or -1.
    [[nodiscard]] int take(const std::string& host_port);
    void give(const std::string& host_port, int fd);
    // Closes every idle connection (the owner stops; upstreams may go away).
    void clear();

    // Diagnostics: connections opened for calls through this pool, and calls that reused one.
    [[nodiscard]] std::uint64_t opened() const { return m_opened.load(); }
    [[nodiscard]] std::uint64_t reused() const { return m_reused.load(); }
    void count_opened() { ++m_opened; }
    void count_reused() { ++m_reused; }

  private:
    std::size_t m_max_idle;
    std::mutex m_mutex;
    std::map<std::string, std::vector<int>> m_idle;
    std::atomic<std::uint64_t> m_opened{0}, m_reused{0};
};

// One call whose answer is read in two steps: open() sends the request and reads the status line
// and headers; read_body() then reads the body. Lets the gateway decide on the status (failover)
// before it relays a stream, on the same thread. Must be used and destroyed on the thread that
// opened it.
class ClientCall {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<ClientCall>> open(const ClientRequest& request,
                                                                        ConnectionPool* pool = nullptr);
    ~ClientCall();
    ClientCall(const ClientCall&) = delete;
    ClientCall& operator=(const ClientCall&) = delete;

    // Status and lower-cased headers; body empty.
    [[nodiscard]] const ClientReply& head() const;
    // Reads the rest of the body into `on_chunk` (false aborts). Returns true when the body
    // arrived complete; false when it was cut short, aborted, timed out or cancelled. Call once.
    bool read_body(const std::function<bool(std::string_view)>& on_chunk);

    struct Impl;

  private:
    explicit ClientCall(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// open() + read_body(): the whole answer, body collected unless `on_chunk` takes it.
[[nodiscard]] util::Result<ClientReply> http_call(const ClientRequest& request, ConnectionPool* pool = nullptr);

// Splits "http://h:p/base" into host, port, path prefix. Fails with invalid_input.
struct ParsedUrl {
    std::string host;
    std::string port;
    std::string path;  // starts with '/', "/" when empty
};
[[nodiscard]] util::Result<ParsedUrl> parse_http_url(std::string_view url);

}  // namespace crm::stubs
