#pragma once
// The benchmarks' keep-alive HTTP load: N connections, each sending one request back to back
// until a request budget is spent or a time bound passes, all on one io_context on the calling
// thread, so the client costs about one core and never more than the server it measures.
// Latency is measured per request from the first byte written to the whole response read.
//
// A connection stops at its first error: a failed connect/write/read, a response without
// keep-alive, or (require_200) a status other than 200. Statuses are recorded so a bench can say
// what a route answered (a 404 or 401 is a result, not a speed).
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

namespace crm::bench {

struct KeepAlivePlan {
    boost::asio::ip::tcp::endpoint endpoint;
    boost::beast::http::request<boost::beast::http::string_body> request;  // keep-alive, payload prepared
    int connections = 16;
    std::size_t budget = std::numeric_limits<std::size_t>::max();  // requests in all
    std::chrono::steady_clock::duration duration = std::chrono::seconds(60);
    bool require_200 = false;
};

struct KeepAliveResult {
    std::vector<double> latencies_ms;  // one per answered request, in completion order
    int errors = 0;
    int status = 0;             // the last status seen
    bool mixed_status = false;  // not every answer had the same status
    double seconds = 0;         // wall time of the whole load
};

namespace detail {

struct KeepAliveState {
    const KeepAlivePlan& plan;
    boost::asio::io_context io;
    std::chrono::steady_clock::time_point deadline;
    std::size_t issued = 0;
    KeepAliveResult result;
};

class KeepAliveConnection : public std::enable_shared_from_this<KeepAliveConnection> {
  public:
    explicit KeepAliveConnection(KeepAliveState& state) : m_state(state), m_stream(state.io) {}
    void start() {
        m_stream.async_connect(m_state.plan.endpoint, [self = shared_from_this()](boost::beast::error_code ec) {
            if (ec) {
                ++self->m_state.result.errors;
                return;
            }
            self->m_stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
            self->send();
        });
    }

  private:
    void send() {
        if (m_state.issued >= m_state.plan.budget || std::chrono::steady_clock::now() >= m_state.deadline) {
            boost::beast::error_code ec;
            m_stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
            return;
        }
        ++m_state.issued;
        m_sent = std::chrono::steady_clock::now();
        boost::beast::http::async_write(
            m_stream, m_state.plan.request, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (ec) {
                    ++self->m_state.result.errors;
                    return;
                }
                self->m_response = {};
                boost::beast::http::async_read(
                    self->m_stream, self->m_buffer, self->m_response,
                    [self](boost::beast::error_code rec, std::size_t) { self->on_read(rec); });
            });
    }
    void on_read(boost::beast::error_code ec) {
        auto& r = m_state.result;
        if (ec) {
            ++r.errors;
            return;
        }
        r.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_sent).count());
        const int status = m_response.result_int();
        if (r.status != 0 && r.status != status) r.mixed_status = true;
        r.status = status;
        if (!m_response.keep_alive() || (m_state.plan.require_200 && status != 200)) {
            ++r.errors;
            return;
        }
        send();
    }

    KeepAliveState& m_state;
    boost::beast::tcp_stream m_stream;
    boost::beast::flat_buffer m_buffer;
    boost::beast::http::response<boost::beast::http::string_body> m_response;
    std::chrono::steady_clock::time_point m_sent;
};

}  // namespace detail

[[nodiscard]] inline KeepAliveResult run_keepalive_load(const KeepAlivePlan& plan) {
    detail::KeepAliveState state{plan, {}, {}, 0, {}};
    if (plan.budget != std::numeric_limits<std::size_t>::max()) state.result.latencies_ms.reserve(plan.budget);
    const auto start = std::chrono::steady_clock::now();
    state.deadline = start + plan.duration;
    for (int i = 0; i < plan.connections; ++i) std::make_shared<detail::KeepAliveConnection>(state)->start();
    state.io.run();
    state.result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(state.result);
}

}  // namespace crm::bench
