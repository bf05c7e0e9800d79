// Deadlines without async: one watchdog thread scans the open connections and shuts down the
// read side of a socket whose deadline passed (shutdown wakes a thread blocked in recv, which a
// plain close does not guarantee), or both sides when it is stuck writing to a client that does
// not read. The connection thread then sees the failure and, when a request was under way,
// answers 408 before closing. Idle keep-alive connections wait in socket.wait(wait_read) so that
// drain can tell "between requests" (close now) from "inside a request" (let it finish).
#include "harness/serve/http_listener.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <condition_variable>
#include <list>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include "util/ascii.hpp"
#include "util/random.hpp"

namespace crm::harness::serve {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::optional<std::string> RawRequest::header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return std::nullopt;
}

namespace {

bool usable_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.'; });
}

std::string serialize_response(RawResponse res, bool keep_alive) {
    http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
    out.set(http::field::content_type, res.content_type);
    for (const auto& [k, v] : res.headers) out.set(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    std::ostringstream os;
    os << out;
    return os.str();
}

RawRequest to_request(const http::request_header<>& head, std::string body) {
    RawRequest req;
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) {
        if (auto parsed = boost::urls::parse_origin_form(req.target)) {
            for (auto param : parsed->params()) req.query[param.key] = param.value;
        }
    }
    for (const auto& field : head)
        req.headers.emplace_back(util::ascii_lower(field.name_string()), std::string(field.value()));
    req.body = std::move(body);
    auto id = req.header("x-request-id");
    req.request_id = id && usable_request_id(*id) ? *id : util::random_hex(8);
    return req;
}

// The answer to a connection over ListenerOptions::max_connections: 503 in the one error shape,
// then closed. Written from the accept thread: a few hundred bytes fit a fresh socket's buffer.
void refuse_busy(tcp::socket& socket) {
    static constexpr std::string_view k_busy =
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
        "content-length: 77\r\n\r\n"
        R"({"error":{"code":"busy","message":"too many connections; retry in a moment"}})";
    beast::error_code ec;
    net::write(socket, net::buffer(k_busy.data(), k_busy.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

}  // namespace

struct HttpListener::Impl {
    enum class ConnState : int { idle, reading, handling, writing, closing };

    struct Connection {
        std::shared_ptr<tcp::socket> socket;
        std::thread thread;
        std::atomic<ConnState> state{ConnState::idle};
        std::atomic<std::int64_t> deadline{0};  // steady_clock ticks; 0: none
        std::atomic<bool> timed_out{false};
        std::atomic<bool> done{false};
        // The handler's deadline and who answers: the connection thread when the handler returns in
        // time, else the watchdog (504). `current` is the request being handled, valid while
        // answer_mutex is held and `answered` is false.
        std::atomic<std::int64_t> handler_deadline{0};
        std::mutex answer_mutex;
        bool answered = false;
        const RawRequest* current = nullptr;
    };

    ListenerOptions options;
    RawHandler handler;
    net::io_context io;
    tcp::acceptor acceptor{io};
    std::uint16_t port = 0;
    std::atomic<bool> stopping{false};
    std::atomic<bool> watchdog_stop{false};  // after the drain: deadlines still apply during the grace
    bool drained = false;
    std::thread accept_thread;
    std::thread watchdog_thread;
    std::mutex mutex;  // connections
    std::list<Connection> connections;
    std::mutex watchdog_mutex;
    std::condition_variable watchdog_cv;

    void accept_loop();
    // The handler of `c` outlived request_timeout: its client gets the handler's answer to
    // Refusal::handler_timeout now (a non-blocking send of a small response into an idle socket)
    // and the connection is closed; the handler runs on and its result is dropped.
    void answer_late(Connection& c) {
        c.handler_deadline.store(0);
        std::lock_guard lock(c.answer_mutex);
        if (c.answered || c.current == nullptr) return;
        c.answered = true;
        const std::string bytes = serialize_response(call(*c.current, Refusal::handler_timeout), false);
        (void)::send(c.socket->native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::shutdown(c.socket->native_handle(), SHUT_RDWR);
    }
    void watchdog_loop();
    void serve(Connection& conn);
    void reap();
    RawResponse call(const RawRequest& req, Refusal refusal) {
        try {
            return handler(req, refusal);
        } catch (const std::exception&) {
            return RawResponse{500,
                               "application/json",
                               {{"x-request-id", req.request_id}},
                               R"({"error":{"code":"internal","message":"internal error"}})"};
        }
    }
    void arm(Connection& conn) const {
        conn.deadline.store((Clock::now() + options.read_timeout).time_since_epoch().count());
    }
    // Returns false when the client is gone.
    bool respond(Connection& conn, tcp::socket& socket, RawResponse res, bool keep_alive) {
        http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
        out.set(http::field::content_type, res.content_type);
        for (const auto& [k, v] : res.headers) out.set(k, v);
        out.body() = std::move(res.body);
        out.keep_alive(keep_alive && !stopping.load());
        out.prepare_payload();
        conn.state.store(ConnState::writing);
        arm(conn);
        beast::error_code ec;
        http::write(socket, out, ec);
        conn.deadline.store(0);
        return !ec && out.keep_alive();
    }
};

void HttpListener::Impl::reap() {
    std::lock_guard lock(mutex);
    for (auto it = connections.begin(); it != connections.end();) {
        if (it->done.load()) {
            if (it->thread.joinable()) it->thread.join();
            it = connections.erase(it);
        } else {
            ++it;
        }
    }
}

void HttpListener::Impl::accept_loop() {
    while (!stopping.load()) {
        auto socket = std::make_shared<tcp::socket>(io);
        beast::error_code ec;
        acceptor.accept(*socket, ec);
        if (stopping.load()) break;
        if (ec) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        socket->set_option(tcp::no_delay(true), ec);
        reap();
        std::lock_guard lock(mutex);
        if (connections.size() >= options.max_connections) {
            refuse_busy(*socket);
            continue;
        }
        auto& conn = connections.emplace_back();
        conn.socket = socket;
        arm(conn);
        try {
            conn.thread = std::thread([this, &conn] { serve(conn); });
        } catch (const std::system_error&) {  // out of threads: refuse this one, keep serving
            connections.pop_back();
            refuse_busy(*socket);
        }
    }
}

void HttpListener::Impl::watchdog_loop() {
    const auto tick = std::clamp(std::min(options.read_timeout, options.request_timeout) / 10,
                                 std::chrono::milliseconds(5), std::chrono::milliseconds(250));
    std::unique_lock wait_lock(watchdog_mutex);
    while (!watchdog_stop.load()) {
        watchdog_cv.wait_for(wait_lock, tick);
        const auto now = Clock::now().time_since_epoch().count();
        std::lock_guard lock(mutex);
        for (auto& c : connections) {
            if (const auto hd = c.handler_deadline.load(); hd != 0 && hd <= now) answer_late(c);
            const auto deadline = c.deadline.load();
            if (deadline == 0 || deadline > now || c.done.load() || c.timed_out.exchange(true)) continue;
            const bool writing = c.state.load() == ConnState::writing;
            ::shutdown(c.socket->native_handle(), writing ? SHUT_RDWR : SHUT_RD);
        }
    }
}

void HttpListener::Impl::serve(Connection& conn) {
    tcp::socket& socket = *conn.socket;
    beast::flat_buffer buffer;
    while (!stopping.load()) {
        beast::error_code ec;
        if (buffer.size() == 0) {
            socket.wait(tcp::socket::wait_read, ec);
            if (ec) break;
        }
        auto expected = ConnState::idle;
        if (!conn.state.compare_exchange_strong(expected, ConnState::reading)) break;  // drain closed it
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.max_body_bytes);
        parser.header_limit(64 * 1024);
        http::read(socket, buffer, parser, ec);
        if (ec == http::error::body_limit) {
            conn.deadline.store(0);
            const RawRequest req = to_request(parser.get().base(), {});
            respond(conn, socket, call(req, Refusal::too_large), false);
            break;
        }
        if (ec) {
            if (conn.timed_out.load() && (parser.got_some() || buffer.size() > 0)) {
                RawRequest req;
                if (parser.is_header_done()) req = to_request(parser.get().base(), {});
                if (req.request_id.empty()) req.request_id = util::random_hex(8);
                respond(conn, socket, call(req, Refusal::read_timeout), false);
            }
            break;
        }
        conn.deadline.store(0);
        conn.state.store(ConnState::handling);
        auto msg = parser.release();
        const bool keep_alive = msg.keep_alive();
        const RawRequest req = to_request(msg.base(), std::move(msg.body()));
        {
            std::lock_guard lock(conn.answer_mutex);
            conn.current = &req;
            conn.answered = false;
        }
        conn.handler_deadline.store((Clock::now() + options.request_timeout).time_since_epoch().count());
        RawResponse res = call(req, Refusal::none);
        conn.handler_deadline.store(0);
        bool ours = false;
        {
            std::lock_guard lock(conn.answer_mutex);
            ours = !conn.answered;
            conn.answered = true;
            conn.current = nullptr;
        }
        if (!ours || !respond(conn, socket, std::move(res), keep_alive)) break;
        arm(conn);
        conn.state.store(ConnState::idle);
    }
    conn.deadline.store(0);
    conn.state.store(ConnState::closing);
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    conn.done.store(true);
}

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpListener::~HttpListener() { drain(std::chrono::milliseconds(0)); }

util::Result<std::unique_ptr<HttpListener>> HttpListener::start(ListenerOptions options, RawHandler handler) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->handler = std::move(handler);
    beast::error_code ec;
    const auto address = net::ip::make_address(impl->options.address, ec);
    if (ec) return util::fail(util::ErrorCode::invalid_input, "not an IP address: '" + impl->options.address + "'");
    const tcp::endpoint ep{address, impl->options.port};
    impl->acceptor.open(ep.protocol(), ec);
    if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(ep, ec);
    if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return util::fail(util::ErrorCode::io, "cannot listen on " + impl->options.address + ":" +
                                                   std::to_string(impl->options.port) + ": " + ec.message());
    }
    impl->port = impl->acceptor.local_endpoint().port();
    Impl* raw = impl.get();
    impl->accept_thread = std::thread([raw] { raw->accept_loop(); });
    impl->watchdog_thread = std::thread([raw] { raw->watchdog_loop(); });
    return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

std::uint16_t HttpListener::port() const { return m_impl->port; }

void HttpListener::drain(std::chrono::milliseconds grace) {
    if (!m_impl || m_impl->drained) return;
    m_impl->drained = true;
    Impl& impl = *m_impl;
    impl.stopping.store(true);
    // shutdown() wakes a thread blocked in accept(); close() alone does not on Linux.
    ::shutdown(impl.acceptor.native_handle(), SHUT_RDWR);
    if (impl.accept_thread.joinable()) impl.accept_thread.join();
    beast::error_code ec;
    impl.acceptor.close(ec);
    {
        std::lock_guard lock(impl.mutex);
        for (auto& c : impl.connections) {
            auto expected = Impl::ConnState::idle;
            if (c.state.compare_exchange_strong(expected, Impl::ConnState::closing)) {
                ::shutdown(c.socket->native_handle(), SHUT_RD);
            }
        }
    }
    const auto until = Clock::now() + grace;
    while (Clock::now() < until) {
        bool all_done = true;
        {
            std::lock_guard lock(impl.mutex);
            for (const auto& c : impl.connections) all_done = all_done && c.done.load();
        }
        if (all_done) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    {
        std::lock_guard lock(impl.mutex);
        for (auto& c : impl.connections)
            if (!c.done.load()) ::shutdown(c.socket->native_handle(), SHUT_RDWR);
    }
    {
        std::lock_guard lock(impl.watchdog_mutex);
        impl.watchdog_stop.store(true);
        impl.watchdog_cv.notify_all();
    }
    if (impl.watchdog_thread.joinable()) impl.watchdog_thread.join();
    for (auto& c : impl.connections)
        if (c.thread.joinable()) c.thread.join();
    impl.connections.clear();
}

}  // namespace crm::harness::serve
