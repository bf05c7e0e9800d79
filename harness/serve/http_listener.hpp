#pragma once
// The control plane's HTTP/1.1 server (Boost.Beast), loopback or any address, thread per
// connection.
//
// Why its own server and not stubs::HttpServer: the stub's behaviour is part of what the stub
// tests pin (its 413 body, stop() cutting every connection at once), the control plane must not
// link its production listener to the test doubles, and what the control plane needs on top
// (read deadlines, a drain that lets in-flight requests finish) would be dead weight in the stub.
// Thread per connection for the same reason as the stub: handlers block on the engine (SQLite,
// calls to a host) and straight-line handlers are worth more than async plumbing at control-plane
// load (bench/control_plane_load.cpp measures it).
//
// Contract:
// - every request is handed to the handler with its headers (lower-cased names, the
//   Authorization header included: authentication is the handler's job) and a request id: the
//   client's x-request-id when it is 1-64 characters of [A-Za-z0-9._-], else 16 random hex
//   characters;
// - a body above max_body_bytes is not read: the handler is called with Refusal::too_large (it
//   answers 413 in its error shape) and the connection is closed after the answer;
// - read_timeout bounds the wait for each request (from the end of the previous exchange or the
//   connection's start to the request's last byte) and the writing of each response. A client
//   that sent part of a request when it expires gets the handler's answer to
//   Refusal::read_timeout (408), an idle keep-alive connection is just closed; either way the
//   connection's thread is freed;
// - request_timeout bounds the handler: when it has not returned by then, its client gets the
//   handler's answer to Refusal::handler_timeout (504) at once and the connection is closed;
//   the handler is not interrupted (it cannot be), it runs to its end on the connection's thread
//   and its result is dropped;
// - drain(grace): stops accepting at once (new connections are refused), closes idle keep-alive
//   connections, lets requests already being read or handled finish and answer (with
//   "connection: close") for up to `grace`, then closes every remaining socket and joins every
//   thread (a handler still running is waited for: it is bounded by the engine's timeouts and
//   may hold references to the engine). Idempotent; the destructor drains with zero grace.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace crm::harness::serve {

struct ListenerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: ephemeral, see HttpListener::port()
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds request_timeout{300'000};
    // Connections served at once (a thread each). One more is answered 503 and closed at once:
    // slow or idle clients, token or not, must not exhaust the process's threads.
    std::size_t max_connections = 256;
};

struct RawRequest {
    std::string method;
    std::string target;                                        // as received
    std::string path;                                          // target without the query
    std::map<std::string, std::string> query;                  // percent-decoded
    std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names
    std::string body;
    std::string request_id;
    [[nodiscard]] std::optional<std::string> header(std::string_view lower_name) const;
};

// Why the listener calls the handler without a complete request.
enum class Refusal { none, too_large, read_timeout, handler_timeout };

struct RawResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

using RawHandler = std::function<RawResponse(const RawRequest&, Refusal)>;

class HttpListener {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<HttpListener>> start(ListenerOptions options, RawHandler handler);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void drain(std::chrono::milliseconds grace);

    struct Impl;

  private:
    explicit HttpListener(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace crm::harness::serve
