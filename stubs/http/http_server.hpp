#pragma once
// A small HTTP/1.1 server for the stubs (Boost.Beast, loopback only). Each connection is served
// by its own thread so that a handler may block (injected latency, a call to an upstream, an
// endless keep-alive stream) without starving other clients. Keep-alive is honoured; bodies
// above `max_body_bytes` get 413; a request that cannot be parsed closes the connection.
//
// stop() closes the listener and every open connection, wakes sleeping handlers and joins all
// threads. It is idempotent; the destructor calls it.
#include <cstdint>
#include <functional>
#include <memory>

#include "stubs/http/http_types.hpp"
#include "util/error.hpp"

namespace crm::stubs {

using Handler = std::function<Response(const Request&)>;

class HttpServer {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<HttpServer>> start(std::uint16_t port, Handler handler,
                                                                         std::size_t max_body_bytes);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void stop();
    // Wakes every handler sleeping in StreamWriter::wait (they see `false`) without stopping.
    void release_waiters();

    struct Impl;

  private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace crm::stubs
