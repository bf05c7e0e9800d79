// The control plane's HTTP layer over loopback: routing, authentication, the error shape, the
// body limit and slow clients.
#include <atomic>

#include "tests/component/harness/serve/serve_fixture.hpp"

using namespace crm::serve_test;
using crm::harness::serve::ApiRequest;
using crm::harness::serve::ApiResponse;
using crm::harness::serve::ApiResult;
using namespace std::chrono_literals;

TEST_CASE("serve http: {name} parameters reach the handler decoded, with the request id", "[serve][http]") {
    ServeRig rig;
    auto r = rig.call("GET", "/api/items/it%20em-1", {}, k_token, {{"x-request-id", "req-abc.1"}});
    REQUIRE(r.status == 200);
    auto v = body_json(r);
    CHECK(v.at("id") == "it em-1");
    CHECK(v.at("request_id") == "req-abc.1");
    CHECK(r.header("x-request-id") == std::optional<std::string>("req-abc.1"));
    auto generated = rig.call("GET", "/api/items", {}, k_token, {{"x-request-id", "bad id with spaces"}});
    REQUIRE(generated.header("x-request-id"));
    CHECK(generated.header("x-request-id")->size() == 16);
}

TEST_CASE("serve http: unknown paths are 404 route_not_found, wrong methods 405 with Allow", "[serve][http]") {
    ServeRig rig;
    check_error_shape(rig.call("GET", "/api/nothing"), 404, "route_not_found");
    check_error_shape(rig.call("GET", "/api/items/a/b"), 404, "route_not_found");
    auto wrong = rig.call("DELETE", "/api/items");
    check_error_shape(wrong, 405, "method_not_allowed");
    CHECK(wrong.header("allow") == std::optional<std::string>("GET, POST"));
    auto health_post = rig.call("POST", "/healthz", "{}", std::nullopt);
    check_error_shape(health_post, 405, "method_not_allowed");
    CHECK(health_post.header("allow") == std::optional<std::string>("GET"));
}

TEST_CASE("serve http: every /api call needs the bearer token, compared in full", "[serve][http][auth]") {
    ServeRig rig;
    auto missing = rig.call("GET", "/api/items", {}, std::nullopt);
    check_error_shape(missing, 401, "unauthorized");
    CHECK(missing.header("www-authenticate") == std::optional<std::string>("Bearer"));
    check_error_shape(rig.call("GET", "/api/items", {}, "wrong-token-of-the-same-length-x"), 401, "unauthorized");
    check_error_shape(rig.call("GET", "/api/items", {}, k_token + "x"), 401, "unauthorized");
    check_error_shape(rig.call("GET", "/api/items", {}, k_token.substr(0, k_token.size() - 1)), 401, "unauthorized");
    // Routes are not revealed without the token: an unknown path is 401 too, not 404.
    check_error_shape(rig.call("GET", "/api/nothing", {}, std::nullopt), 401, "unauthorized");
    CHECK(rig.call("GET", "/api/items").status == 200);
}

TEST_CASE("serve http: the handler never sees the Authorization header", "[serve][http][auth]") {
    ServeRig rig;
    auto r = rig.call("POST", "/api/items", R"({"name":"a"})");
    REQUIRE(r.status == 201);
    CHECK(body_json(r).at("saw_authorization") == false);
    CHECK(body_json(r).at("got").at("name") == "a");
    check_error_shape(rig.call("POST", "/api/items", "{not json"), 400, "bad_json");
}

TEST_CASE("serve http: a token shorter than 20 characters is refused", "[serve][http][auth]") {
    crm::util::SecretRegistry secrets;
    CHECK_FALSE(crm::harness::serve::AdminToken::from_value("short-token", secrets));
}

TEST_CASE("serve http: a body above the limit is 413 payload_too_large in the error shape", "[serve][http]") {
    crm::harness::serve::ServeOptions options;
    options.max_body_bytes = 1024;
    ServeRig rig(options);
    auto r = rig.call("POST", "/api/items", std::string(4096, 'x'));
    check_error_shape(r, 413, "payload_too_large");
    CHECK(rig.call("POST", "/api/items", R"({"small":true})").status == 201);
}

TEST_CASE("serve http: a handler that throws is 500 internal", "[serve][http]") {
    ServeRig rig;
    check_error_shape(rig.call("GET", "/api/boom"), 500, "internal");
}

TEST_CASE("serve http: connections over the cap get 503 busy and the server keeps serving", "[serve][http]") {
    crm::harness::serve::ServeOptions options;
    options.max_connections = 2;
    options.read_timeout = 5s;
    ServeRig rig(options);
    namespace net = boost::asio;
    net::io_context io;
    std::vector<net::ip::tcp::socket> idle;
    for (int i = 0; i < 2; ++i) {
        idle.emplace_back(io);
        idle.back().connect({net::ip::make_address("127.0.0.1"), rig.server->port()});
    }
    // The two idle connections hold both places; the accept order makes the third one over.
    auto refused = raw_exchange(rig.server->port(), "GET /api/items HTTP/1.1\r\nHost: x\r\n\r\n", true);
    CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
    CHECK(refused.find(R"({"error":{"code":"busy","message":")") != std::string::npos);
    for (auto& s : idle) s.close();
    // Closed connections free their places (reaped on the next accept).
    bool served = false;
    for (int attempt = 0; attempt < 50 && !served; ++attempt) {
        served = rig.call("GET", "/api/items").status == 200;
        if (!served) std::this_thread::sleep_for(20ms);
    }
    CHECK(served);
}

TEST_CASE("serve http: a client that stalls mid-request gets 408 and its connection closed", "[serve][http][timeout]") {
    crm::harness::serve::ServeOptions options;
    options.read_timeout = 200ms;
    ServeRig rig(options);
    // Headers announce 100 bytes of body; 5 arrive; the client then neither sends nor closes.
    const std::string partial = "POST /api/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k_token +
                                "\r\nContent-Length: 100\r\n\r\n{\"a\":";
    auto got = raw_exchange(rig.server->port(), partial);
    CHECK(got.find("<client gave up>") == std::string::npos);
    CHECK(got.rfind("HTTP/1.1 408", 0) == 0);
    CHECK(got.find(R"("code":"request_timeout")") != std::string::npos);
    // A connection that never sends a byte is closed without an answer.
    auto idle = raw_exchange(rig.server->port(), "");
    CHECK(idle.empty());
    // The server still answers others.
    CHECK(rig.call("GET", "/api/items").status == 200);
}

TEST_CASE("serve http: a handler past the request timeout: its client gets 504, the handler runs on",
          "[serve][http][timeout]") {
    Latch release;
    std::atomic<bool> finished{false};
    auto routes = test_routes();
    routes.push_back({"POST", "/api/long/{jobID}", "long", [&](const ApiRequest&) -> ApiResult {
                          release.wait();
                          finished = true;
                          return ApiResponse{200, json::object{{"done", true}}, {}};
                      }});
    crm::harness::serve::ServeOptions options;
    options.request_timeout = 200ms;
    ServeRig rig(options, routes);
    auto r = rig.call("POST", "/api/long/j1", "{}");
    check_error_shape(r, 504, "request_timeout");
    CHECK_FALSE(finished.load());
    release.open();
    CHECK(rig.call("GET", "/api/items").status == 200);
    rig.server->drain();  // joins the handler's thread
    CHECK(finished.load());
    const auto text = rig.metrics.render();
    CHECK(text.find(R"(crm_http_requests_total{route="/api/long/{jobID}",method="POST",status="504"} 1)") !=
          std::string::npos);
}
