// The control plane's HTTP layer under concurrent clients and during a graceful drain.
#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "tests/component/harness/serve/serve_fixture.hpp"

using namespace crm::serve_test;
using namespace std::chrono_literals;

TEST_CASE("serve lifecycle: concurrent clients are all answered and all counted", "[serve][lifecycle]") {
    std::atomic<int> handled{0};
    auto routes = test_routes();
    routes.push_back({"GET", "/api/count", "count", [&](const serve::ApiRequest&) -> serve::ApiResult {
                          ++handled;
                          return serve::ApiResponse{200, json::object{{"ok", true}}, {}};
                      }});
    ServeRig rig({}, routes);
    constexpr int k_threads = 12;
    constexpr int k_each = 15;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < k_threads; ++t) {
        clients.emplace_back([&] {
            crm::stubs::ConnectionPool pool;
            for (int i = 0; i < k_each; ++i) {
                crm::stubs::ClientRequest r;
                r.url = rig.url("/api/count");
                r.headers = {{"authorization", "Bearer " + k_token}};
                auto reply = crm::stubs::http_call(r, &pool);
                if (reply && reply->status == 200) ++ok;
            }
        });
    }
    for (auto& c : clients) c.join();
    CHECK(ok.load() == k_threads * k_each);
    CHECK(handled.load() == k_threads * k_each);
    const auto text = rig.metrics.render();
    CHECK(text.find(R"(crm_http_requests_total{route="/api/count",method="GET",status="200"} 180)") !=
          std::string::npos);
    CHECK(text.find("crm_http_in_flight 0\n") != std::string::npos);
}

TEST_CASE("serve lifecycle: drain lets a request in flight finish while new connections are refused",
          "[serve][lifecycle][drain]") {
    Latch entered, release;
    auto routes = test_routes();
    routes.push_back({"POST", "/api/slow", "slow", [&](const serve::ApiRequest&) -> serve::ApiResult {
                          entered.open();
                          release.wait();
                          return serve::ApiResponse{200, json::object{{"finished", true}}, {}};
                      }});
    crm::harness::serve::ServeOptions options;
    options.shutdown_grace = 60s;  // the test opens the latch long before
    ServeRig rig(options, routes);
    const auto port = rig.server->port();

    // Not rig.call: a failed REQUIRE must not throw on another thread.
    crm::util::Result<crm::stubs::ClientReply> in_flight = std::unexpected(crm::util::Error{});
    std::thread client([&] {
        crm::stubs::ClientRequest slow;
        slow.method = "POST";
        slow.url = rig.url("/api/slow");
        slow.headers = {{"authorization", "Bearer " + k_token}};
        slow.body = "{}";
        slow.timeout = 60s;
        in_flight = crm::stubs::http_call(slow);
    });
    entered.wait();
    std::thread drainer([&] { rig.server->drain(); });

    // New connections are refused once the drain has closed the listener.
    bool refused = false;
    for (int i = 0; i < 2000 && !refused; ++i) {
        crm::stubs::ClientRequest probe;
        probe.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
        probe.timeout = 2s;
        auto r = crm::stubs::http_call(probe);
        refused = !r && r.error().code == crm::util::ErrorCode::connect_failed;
        if (!refused) std::this_thread::sleep_for(5ms);
    }
    CHECK(refused);
    release.open();
    client.join();
    drainer.join();
    REQUIRE(in_flight);
    CHECK(in_flight->status == 200);
    CHECK(body_json(*in_flight).at("finished") == true);
    CHECK(in_flight->header("connection") == std::optional<std::string>("close"));
}

TEST_CASE("serve lifecycle: drain closes idle keep-alive connections at once", "[serve][lifecycle][drain]") {
    crm::harness::serve::ServeOptions options;
    options.shutdown_grace = 60s;
    ServeRig rig(options);
    namespace net = boost::asio;
    net::io_context io;
    net::ip::tcp::socket idle(io);
    idle.connect({net::ip::make_address("127.0.0.1"), rig.server->port()});
    // One exchange first, so the server holds the connection (not the kernel's accept queue).
    namespace http = boost::beast::http;
    http::request<http::empty_body> get{http::verb::get, "/healthz", 11};
    get.keep_alive(true);
    http::write(idle, get);
    boost::beast::flat_buffer first;
    http::response<http::string_body> answer;
    http::read(idle, first, answer);
    REQUIRE(answer.result_int() == 200);
    REQUIRE(answer.keep_alive());
    // The drain returns without waiting out the grace: the idle connection holds no request.
    std::atomic<bool> drained{false};
    std::thread drainer([&] {
        rig.server->drain();
        drained = true;
    });
    std::array<char, 16> buf{};
    boost::system::error_code ec;
    idle.read_some(net::buffer(buf), ec);  // returns when the server closes it
    CHECK(ec == net::error::eof);
    drainer.join();
    CHECK(drained.load());
}
