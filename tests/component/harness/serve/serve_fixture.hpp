#pragma once
// A ControlServer on loopback with a small route table, a settable health, metrics and a log
// captured in memory; plus a raw-socket client for what a well-behaved client never does.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "harness/serve/control_server.hpp"
#include "harness/serve/error_shape.hpp"
#include "stubs/http/http_client.hpp"

namespace crm::serve_test {

namespace serve = crm::harness::serve;
namespace json = boost::json;

inline const std::string k_token = "component-test-token-0123456789";

class SettableHealth final : public serve::HealthSource {
  public:
    json::object health() override {
        std::lock_guard lock(m_mutex);
        return {{"store", m_store}, {"worker", json::object{{"enabled", false}}}};
    }
    void set_store(std::string s) {
        std::lock_guard lock(m_mutex);
        m_store = std::move(s);
    }

  private:
    std::mutex m_mutex;
    std::string m_store = "ok";
};

// Lines written by many threads; RequestLog serialises its writes.
class LogSink {
  public:
    std::ostringstream stream;
    [[nodiscard]] std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::istringstream in(stream.str());
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
};

// A one-shot gate a handler blocks on until the test opens it.
class Latch {
  public:
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }
    void wait() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_open; });
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

inline std::vector<serve::Route> test_routes() {
    using serve::ApiRequest;
    using serve::ApiResponse;
    using serve::ApiResult;
    return {
        {"GET", "/api/items", "listItems",
         [](const ApiRequest&) -> ApiResult { return ApiResponse{200, json::object{{"items", json::array{}}}, {}}; }},
        {"GET", "/api/items/{itemID}", "getItem",
         [](const ApiRequest& r) -> ApiResult {
             return ApiResponse{200, json::object{{"id", r.params.at("itemID")}, {"request_id", r.request_id}}, {}};
         }},
        {"POST", "/api/items", "createItem",
         [](const ApiRequest& r) -> ApiResult {
             auto body = serve::parse_json_body(r);
             if (!body) return std::unexpected(body.error());
             const bool saw_auth = r.header("authorization").has_value();
             return ApiResponse{201, json::object{{"got", *body}, {"saw_authorization", saw_auth}}, {}};
         }},
        {"GET", "/api/boom", "boom", [](const ApiRequest&) -> ApiResult { throw std::runtime_error("boom"); }},
    };
}

struct ServeRig {
    SettableHealth health;
    serve::PlaneMetrics metrics;
    LogSink sink;
    util::SecretRegistry secrets;
    std::unique_ptr<serve::RequestLog> log;
    std::unique_ptr<serve::ControlServer> server;

    explicit ServeRig(serve::ServeOptions options = {}, std::vector<serve::Route> routes = test_routes()) {
        options.port = 0;
        log = std::make_unique<serve::RequestLog>(sink.stream, serve::LogFormat::json, secrets);
        auto token = serve::AdminToken::from_value(k_token, secrets);
        REQUIRE(token);
        auto started = serve::ControlServer::start(options, std::move(routes), std::move(*token),
                                                   serve::ServerParts{health, metrics, *log, secrets});
        REQUIRE(started);
        server = std::move(*started);
    }
    [[nodiscard]] std::string url(std::string_view path) const {
        return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
    }
    [[nodiscard]] stubs::ClientReply call(std::string method, std::string_view path, std::string body = {},
                                          std::optional<std::string> bearer = k_token,
                                          stubs::HeaderList headers = {}) const {
        stubs::ClientRequest r;
        r.method = std::move(method);
        r.url = url(path);
        r.body = std::move(body);
        r.headers = std::move(headers);
        if (bearer) r.headers.emplace_back("authorization", "Bearer " + *bearer);
        r.timeout = std::chrono::seconds(20);
        auto reply = stubs::http_call(r);
        REQUIRE(reply);
        return *reply;
    }
};

inline json::value body_json(const stubs::ClientReply& r) { return json::parse(r.body); }

// The error shape: {"error":{"code","message"}} and nothing else.
inline void check_error_shape(const stubs::ClientReply& r, int status, std::string_view code) {
    CHECK(r.status == status);
    auto v = body_json(r);
    REQUIRE(v.is_object());
    CHECK(v.as_object().size() == 1);
    const auto& e = v.at("error").as_object();
    CHECK(e.at("code").as_string() == code);
    CHECK_FALSE(e.at("message").as_string().empty());
    CHECK(e.size() == 2);
    CHECK(r.header("x-request-id").has_value());
}

// Sends `bytes` on a fresh connection, then reads until the server closes it (or `limit` passes:
// then the returned text ends with "<client gave up>"), so a test can see what the server sent.
inline std::string raw_exchange(std::uint16_t port, const std::string& bytes, bool half_close = false,
                                std::chrono::seconds limit = std::chrono::seconds(20)) {
    namespace net = boost::asio;
    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    net::write(socket, net::buffer(bytes));
    if (half_close) socket.shutdown(net::ip::tcp::socket::shutdown_send);
    std::string got;
    std::array<char, 4096> buf{};
    bool finished = false;
    std::function<void()> read_more = [&] {
        socket.async_read_some(net::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
            got.append(buf.data(), n);
            if (ec) {
                finished = true;
                return;
            }
            read_more();
        });
    };
    read_more();
    io.run_for(limit);
    if (!finished) got += "<client gave up>";
    return got;
}

}  // namespace crm::serve_test
