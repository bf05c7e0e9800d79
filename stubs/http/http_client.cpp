// Beast client. Every call runs its socket operations asynchronously on an io_context that
// belongs to the calling thread, and drives that io_context itself until the operation it waits
// for completes. Why not blocking reads and writes: a blocking socket cannot honour a deadline
// (Asio retries a sync read across SO_RCVTIMEO), which used to cost a watchdog thread per call.
// Why not one shared io_context thread: every call would then hop threads twice. Driving the
// operations on the caller's thread keeps a call as cheap as a blocking one (Asio tries the
// read or write at once and only waits in epoll when the socket has nothing) and lets one
// steady_timer per call enforce the deadline and the cancel flag.
#include "stubs/http/http_client.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>

#include "util/ascii.hpp"

namespace crm::stubs {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// The calling thread's io_context. Only that thread ever runs it, so no locking is needed; a
// ClientCall must therefore stay on the thread that opened it (see the header).
net::io_context& thread_io() {
    thread_local net::io_context io{1};
    return io;
}

// An idle pooled connection the server has closed (or reset) reads EOF / an error at once.
bool still_open(int fd) {
    char byte = 0;
    const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

ConnectionPool::~ConnectionPool() { clear(); }

int ConnectionPool::take(const std::string& host_port) {
    std::lock_guard lock(m_mutex);
    auto it = m_idle.find(host_port);
    while (it != m_idle.end() && !it->second.empty()) {
        const int fd = it->second.back();
        it->second.pop_back();
        if (still_open(fd)) return fd;
        ::close(fd);
    }
    return -1;
}

void ConnectionPool::give(const std::string& host_port, int fd) {
    std::lock_guard lock(m_mutex);
    auto& idle = m_idle[host_port];
    if (idle.size() >= m_max_idle) {
        ::close(fd);
        return;
    }
    idle.push_back(fd);
}

void ConnectionPool::clear() {
    std::lock_guard lock(m_mutex);
    for (auto& [key, fds] : m_idle)
        for (int fd : fds) ::close(fd);
    m_idle.clear();
}

struct ClientCall::Impl {
    net::io_context& io = thread_io();
    tcp::socket socket{io};
    net::steady_timer timer{io};
    Clock::time_point deadline;
    const std::atomic<bool>* cancel = nullptr;
    bool timer_waiting = false;
    bool fired = false;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::buffer_body>> parser;
    ClientReply head;
    ConnectionPool* pool = nullptr;
    std::string host_port;
    bool body_done = false;
    bool closing = false;  // set once the call is over: the timer must not re-arm

    ~Impl() {
        // A tick that already expired is queued, not pending: cancel() cannot stop it, and without
        // `closing` its handler would re-arm and the drain below would wait out the deadline.
        closing = true;
        timer.cancel();
        drain_timer();
    }

    void drain_timer() {
        while (timer_waiting) {
            if (io.stopped()) io.restart();
            io.run_one();
        }
    }

    // One timer per call: it wakes at the deadline, or every 100 ms while a cancel flag is set,
    // and closes the socket, which ends the pending operation with operation_aborted.
    void arm() {
        auto at = deadline;
        if (cancel) at = std::min(at, Clock::now() + std::chrono::milliseconds(100));
        timer.expires_at(at);
        timer_waiting = true;
        timer.async_wait([this](beast::error_code ec) {
            timer_waiting = false;
            if (ec == net::error::operation_aborted || closing) return;
            if (Clock::now() >= deadline || (cancel && cancel->load())) {
                fired = true;
                beast::error_code ignored;
                socket.close(ignored);
                return;
            }
            arm();
        });
    }

    // Starts one asynchronous operation through `launch` and runs the thread's io_context until
    // that operation completed (the timer may fire in between).
    template <class Launch>
    beast::error_code run(Launch&& launch) {
        bool done = false;
        beast::error_code result;
        launch([&](beast::error_code ec, auto&&...) {
            result = ec;
            done = true;
        });
        while (!done) {
            if (io.stopped()) io.restart();
            io.run_one();
        }
        return result;
    }

    beast::error_code connect(const ParsedUrl& url) {
        beast::error_code ec;
        auto address = net::ip::make_address(url.host, ec);
        if (!ec) {
            const auto port = static_cast<unsigned short>(std::stoi(url.port));
            ec = run([&](auto h) { socket.async_connect(tcp::endpoint(address, port), std::move(h)); });
        } else {
            tcp::resolver resolver(io);
            auto results = resolver.resolve(url.host, url.port, ec);
            if (ec) return ec;
            ec = run([&](auto h) { net::async_connect(socket, results, std::move(h)); });
        }
        if (!ec) socket.set_option(tcp::no_delay(true), ec);
        return ec;
    }

    // The connection goes back to the pool only after a complete answer on a kept-alive socket.
    void release_connection() {
        if (!socket.is_open()) return;
        if (pool && body_done && !fired && parser && parser->is_done() && parser->get().keep_alive()) {
            beast::error_code ec;
            const int fd = socket.release(ec);
            if (!ec) {
                pool->give(host_port, fd);
                return;
            }
        }
        beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }
};

ClientCall::ClientCall(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ClientCall::~ClientCall() {
    if (m_impl) m_impl->release_connection();
}

const ClientReply& ClientCall::head() const { return m_impl->head; }

util::Result<std::unique_ptr<ClientCall>> ClientCall::open(const ClientRequest& request, ConnectionPool* pool) {
    CRM_TRY(parsed, parse_http_url(request.url));
    auto impl = std::make_unique<Impl>();
    impl->deadline = Clock::now() + request.timeout;
    impl->cancel = request.cancel;
    impl->pool = pool;
    impl->host_port = parsed.host + ":" + parsed.port;
    impl->arm();

    http::request<http::string_body> req{http::string_to_verb(request.method), parsed.path, 11};
    req.set(http::field::host, impl->host_port);
    req.set(http::field::user_agent, "crm-stub/1");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
        req.body() = request.body;
    }
    req.prepare_payload();

    // A pooled connection the server closed just now fails before any byte of the answer; the
    // request is then sent again once on a fresh connection.
    for (int attempt = 0;; ++attempt) {
        bool reused = false;
        if (pool && attempt == 0) {
            const int fd = pool->take(impl->host_port);
            beast::error_code ec;
            if (fd >= 0) impl->socket.assign(tcp::v4(), fd, ec);
            if (fd >= 0 && ec) ::close(fd);
            reused = fd >= 0 && !ec;
            if (reused) pool->count_reused();
        }
        if (!reused) {
            if (auto ec = impl->connect(parsed))
                return util::fail(util::ErrorCode::connect_failed, "connect: " + ec.message(), request.url);
            if (pool) pool->count_opened();
        }
        impl->buffer.clear();
        impl->parser.emplace();
        impl->parser->body_limit(boost::none);
        auto ec = impl->run([&](auto h) { http::async_write(impl->socket, req, std::move(h)); });
        const bool stale_retry = reused && !impl->fired;
        if (ec) {
            if (stale_retry) {
                beast::error_code ignored;
                impl->socket.close(ignored);
                continue;
            }
            return util::fail(impl->fired ? util::ErrorCode::timeout : util::ErrorCode::connect_failed,
                              "write: " + ec.message(), request.url);
        }
        ec = impl->run(
            [&](auto h) { http::async_read_header(impl->socket, impl->buffer, *impl->parser, std::move(h)); });
        if (ec) {
            if (stale_retry && impl->buffer.size() == 0 && !impl->parser->got_some()) {
                beast::error_code ignored;
                impl->socket.close(ignored);
                continue;
            }
            return util::fail(impl->fired ? util::ErrorCode::timeout : util::ErrorCode::protocol,
                              "read header: " + ec.message(), request.url);
        }
        break;
    }
    auto& head = impl->head;
    head.status = static_cast<int>(impl->parser->get().result_int());
    for (const auto& f : impl->parser->get()) {
        head.headers.emplace_back(util::ascii_lower(f.name_string()), std::string(f.value()));
    }
    return std::unique_ptr<ClientCall>(new ClientCall(std::move(impl)));
}

bool ClientCall::read_body(const std::function<bool(std::string_view)>& on_chunk) {
    auto& impl = *m_impl;
    auto& parser = *impl.parser;
    char chunk[8192];
    bool complete = true;
    while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof(chunk);
        auto ec = impl.run([&](auto h) { http::async_read_some(impl.socket, impl.buffer, parser, std::move(h)); });
        if (ec == http::error::need_buffer) ec = {};
        const std::size_t got = sizeof(chunk) - parser.get().body().size;
        if (got > 0 && !on_chunk(std::string_view(chunk, got))) return false;
        if (ec) {
            if (impl.fired) return false;
            complete = ec == http::error::end_of_stream && parser.is_done();
            break;
        }
    }
    impl.body_done = complete;
    return complete;
}

util::Result<ParsedUrl> parse_http_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme))
        return util::fail(util::ErrorCode::invalid_input, "only http:// URLs are supported: " + std::string(url));
    std::string_view rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    std::string_view hostport = rest.substr(0, slash);
    ParsedUrl out;
    out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    auto colon = hostport.rfind(':');
    if (colon == std::string_view::npos) {
        out.host = std::string(hostport);
        out.port = "80";
    } else {
        out.host = std::string(hostport.substr(0, colon));
        out.port = std::string(hostport.substr(colon + 1));
    }
    if (out.host.empty()) return util::fail(util::ErrorCode::invalid_input, "URL has no host: " + std::string(url));
    return out;
}

util::Result<ClientReply> http_call(const ClientRequest& request, ConnectionPool* pool) {
    CRM_TRY(call, ClientCall::open(request, pool));
    ClientReply reply = call->head();
    if (request.on_headers) request.on_headers(reply);
    reply.complete = call->read_body([&](std::string_view piece) {
        if (request.on_chunk) return request.on_chunk(piece);
        reply.body.append(piece);
        return true;
    });
    return reply;
}

}  // namespace crm::stubs
