// Synchronous Beast client with a whole-call deadline. Bodies are read through a buffer_body
// parser so SSE can be relayed chunk by chunk.
#include "stubs/http/http_client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace crm::stubs {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Watchdog {
  public:
    Watchdog(int fd, std::chrono::milliseconds timeout, const std::atomic<bool>* cancel)
        : m_thread([this, fd, timeout, cancel] {
              const auto deadline = std::chrono::steady_clock::now() + timeout;
              std::unique_lock lock(m_mutex);
              while (!m_done) {
                  const auto now = std::chrono::steady_clock::now();
                  if (now >= deadline || (cancel && cancel->load())) {
                      m_fired = true;
                      ::shutdown(fd, SHUT_RDWR);
                      return;
                  }
                  m_cv.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                                    std::chrono::milliseconds(100)));
              }
          }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    [[nodiscard]] bool fired() const { return m_fired.load(); }

  private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
    std::atomic<bool> m_fired{false};
    std::thread m_thread;
};

}  // namespace

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

util::Result<ClientReply> http_call(const ClientRequest& request) {
    CRM_TRY(parsed, parse_http_url(request.url));
    net::io_context io;
    beast::tcp_stream stream(io);
    beast::error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(parsed.host, parsed.port, ec);
    if (ec)
        return util::fail(util::ErrorCode::connect_failed, "resolve " + parsed.host + ": " + ec.message(), request.url);
    stream.expires_after(request.timeout);
    stream.connect(results, ec);
    if (ec) return util::fail(util::ErrorCode::connect_failed, "connect: " + ec.message(), request.url);
    // tcp_stream deadlines only cover async operations (and Asio retries sync reads across
    // SO_RCVTIMEO), so a watchdog shuts the socket down when the whole-call deadline passes.
    Watchdog watchdog(stream.socket().native_handle(), request.timeout, request.cancel);

    http::request<http::string_body> req{http::string_to_verb(request.method), parsed.path, 11};
    req.set(http::field::host, parsed.host + ":" + parsed.port);
    req.set(http::field::user_agent, "crm-stub/1");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
        req.body() = request.body;
    }
    req.prepare_payload();
    http::write(stream, req, ec);
    if (ec)
        return util::fail(watchdog.fired() ? util::ErrorCode::timeout : util::ErrorCode::connect_failed,
                          "write: " + ec.message(), request.url);

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    http::read_header(stream, buffer, parser, ec);
    if (ec)
        return util::fail(watchdog.fired() ? util::ErrorCode::timeout : util::ErrorCode::protocol,
                          "read header: " + ec.message(), request.url);
    ClientReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    for (const auto& f : parser.get()) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        reply.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    if (request.on_headers) request.on_headers(reply);
    char chunk[8192];
    while (!parser.is_done()) {
        parser.get().body().data = chunk;
        parser.get().body().size = sizeof(chunk);
        http::read_some(stream, buffer, parser, ec);
        if (ec == http::error::need_buffer) ec = {};
        const std::size_t got = sizeof(chunk) - parser.get().body().size;
        if (got > 0) {
            std::string_view piece(chunk, got);
            if (request.on_chunk) {
                if (!request.on_chunk(piece)) {
                    reply.complete = false;
                    break;
                }
            } else {
                reply.body.append(piece);
            }
        }
        if (ec) {
            if (watchdog.fired()) {
                reply.complete = false;
                return reply;
            }
            reply.complete = ec == http::error::end_of_stream && parser.is_done();
            break;
        }
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return reply;
}

}  // namespace crm::stubs
