// Beast lives here and in http_client.cpp only (compile time). Thread per connection: the stub
// serves at most a few hundred concurrent clients, and blocking handlers keep the host logic
// straight-line (see the header).
#include "stubs/http/http_server.hpp"

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
#include <thread>

#include "util/ascii.hpp"

namespace crm::stubs {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::optional<std::string> Request::header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return std::nullopt;
}

std::optional<std::string> ClientReply::header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return std::nullopt;
}

struct HttpServer::Impl {
    struct Connection {
        std::shared_ptr<tcp::socket> socket;
        std::thread thread;
        std::atomic<bool> done{false};
    };

    net::io_context io;
    tcp::acceptor acceptor{io};
    Handler handler;
    std::size_t max_body = 0;
    std::uint16_t port = 0;
    std::atomic<bool> stopping{false};
    std::thread accept_thread;
    std::mutex mutex;
    std::list<Connection> connections;
    std::mutex wait_mutex;
    std::condition_variable wait_cv;
    std::uint64_t release_epoch = 0;

    void accept_loop();
    void serve(Connection& conn);
    void reap();
    bool wait_for(std::chrono::milliseconds ms, std::uint64_t epoch) {
        std::unique_lock lock(wait_mutex);
        wait_cv.wait_for(lock, ms, [&] { return stopping.load() || release_epoch != epoch; });
        return !stopping.load() && release_epoch == epoch;
    }
};

namespace {

class SocketWriter final : public StreamWriter {
  public:
    SocketWriter(tcp::socket& socket, HttpServer::Impl& impl, std::uint64_t epoch)
        : m_socket(socket), m_impl(impl), m_epoch(epoch) {}
    bool write(std::string_view bytes) override {
        if (m_failed || m_impl.stopping.load()) return false;
        if (bytes.empty()) return true;
        beast::error_code ec;
        net::write(m_socket, http::make_chunk(net::buffer(bytes.data(), bytes.size())), ec);
        if (ec) m_failed = true;
        return !m_failed;
    }
    bool wait(std::chrono::milliseconds ms) override {
        if (m_failed) return false;
        return m_impl.wait_for(ms, m_epoch);
    }
    [[nodiscard]] bool failed() const { return m_failed; }

  private:
    tcp::socket& m_socket;
    HttpServer::Impl& m_impl;
    std::uint64_t m_epoch;
    bool m_failed = false;
};

Request to_request(const http::request<http::string_body>& msg) {
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) {
        auto parsed = boost::urls::parse_origin_form(req.target);
        if (parsed) {
            for (auto param : parsed->params()) req.query[param.key] = param.value;
        }
    }
    for (const auto& field : msg)
        req.headers.emplace_back(util::ascii_lower(field.name_string()), std::string(field.value()));
    req.body = msg.body();
    return req;
}

}  // namespace

void HttpServer::Impl::reap() {
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

void HttpServer::Impl::accept_loop() {
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
        auto& conn = connections.emplace_back();
        conn.socket = socket;
        conn.thread = std::thread([this, &conn] { serve(conn); });
    }
}

void HttpServer::Impl::serve(Connection& conn) {
    tcp::socket& socket = *conn.socket;
    beast::flat_buffer buffer;
    while (!stopping.load()) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(max_body);
        parser.header_limit(64 * 1024);
        beast::error_code ec;
        http::read(socket, buffer, parser, ec);
        if (ec == http::error::body_limit) {
            http::response<http::string_body> res{http::status::payload_too_large, 11};
            res.set(http::field::content_type, "application/json");
            res.set(http::field::connection, "close");
            res.body() = R"({"code":413,"message":"Request body too large"})";
            res.prepare_payload();
            http::write(socket, res, ec);
            break;
        }
        if (ec) break;
        auto msg = parser.release();
        const bool keep_alive = msg.keep_alive();
        Request req = to_request(msg);
        std::uint64_t epoch;
        {
            std::lock_guard lock(wait_mutex);
            epoch = release_epoch;
        }
        Response res;
        try {
            res = handler(req);
        } catch (const std::exception&) {
            res = Response{500, {}, "application/json", R"({"code":500,"message":"internal error"})", {}};
        }
        if (res.stream) {
            http::response<http::empty_body> head{static_cast<http::status>(res.status), 11};
            head.set(http::field::content_type, res.content_type);
            head.set(http::field::cache_control, "no-cache");
            for (const auto& [k, v] : res.headers) head.set(k, v);
            head.chunked(true);
            head.keep_alive(keep_alive);
            http::response_serializer<http::empty_body> sr{head};
            http::write_header(socket, sr, ec);
            if (ec) break;
            SocketWriter writer(socket, *this, epoch);
            try {
                res.stream(writer);
            } catch (const std::exception&) {
            }
            if (writer.failed()) break;
            net::write(socket, http::make_chunk_last(), ec);
            if (ec || !keep_alive) break;
            continue;
        }
        http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
        if (res.status != 304) out.set(http::field::content_type, res.content_type);
        for (const auto& [k, v] : res.headers) out.set(k, v);
        out.body() = std::move(res.body);
        out.keep_alive(keep_alive);
        out.prepare_payload();
        http::write(socket, out, ec);
        if (ec || !keep_alive) break;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    conn.done.store(true);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

util::Result<std::unique_ptr<HttpServer>> HttpServer::start(std::uint16_t port, Handler handler,
                                                            std::size_t max_body_bytes) {
    auto impl = std::make_unique<Impl>();
    impl->handler = std::move(handler);
    impl->max_body = max_body_bytes;
    beast::error_code ec;
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
    impl->acceptor.open(ep.protocol(), ec);
    if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(ep, ec);
    if (!ec) impl->acceptor.listen(1024, ec);
    if (ec) {
        return util::fail(util::ErrorCode::io,
                          "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    }
    impl->port = impl->acceptor.local_endpoint().port();
    Impl* raw = impl.get();
    impl->accept_thread = std::thread([raw] { raw->accept_loop(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return m_impl->port; }

void HttpServer::release_waiters() {
    std::lock_guard lock(m_impl->wait_mutex);
    ++m_impl->release_epoch;
    m_impl->wait_cv.notify_all();
}

void HttpServer::stop() {
    if (!m_impl || m_impl->stopping.exchange(true)) return;
    {
        std::lock_guard lock(m_impl->wait_mutex);
        m_impl->wait_cv.notify_all();
    }
    beast::error_code ec;
    // shutdown() wakes a thread blocked in accept(); close() alone does not on Linux.
    ::shutdown(m_impl->acceptor.native_handle(), SHUT_RDWR);
    if (m_impl->accept_thread.joinable()) m_impl->accept_thread.join();
    m_impl->acceptor.close(ec);
    {
        std::lock_guard lock(m_impl->mutex);
        for (auto& c : m_impl->connections) ::shutdown(c.socket->native_handle(), SHUT_RDWR);
    }
    for (auto& c : m_impl->connections)
        if (c.thread.joinable()) c.thread.join();
    m_impl->connections.clear();
}

}  // namespace crm::stubs
