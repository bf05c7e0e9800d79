#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

TEST_CASE("stub host: bodies above the cap get 413") {
    StubOptions o;
    o.max_body_bytes = 1024;
    auto c = start_cluster(o);
    auto r = call("POST", c->endpoints().host_url + "/api/v1/admin/groups", std::string(4096, 'x'),
                  {{"x-api-key", c->endpoints().admin_api_key}});
    CHECK(r.status == 413);
    CHECK(call("GET", c->endpoints().host_url + "/health").status == 200);
}

TEST_CASE("stub host: hundreds of concurrent gateway calls and streams all succeed") {
    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    std::atomic<int> ok{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int i = 0; i < 200; ++i) {
        threads.emplace_back([&, i] {
            json::object body{{"model", "deepseek-chat"},
                              {"stream", i % 2 == 0},
                              {"messages", json::array{json::object{{"role", "user"}, {"content", "ping"}}}}};
            ClientRequest req;
            req.method = "POST";
            req.url = c->endpoints().host_url + "/v1/chat/completions";
            req.headers = {{"Authorization", "Bearer " + a.key}};
            req.body = json::serialize(body);
            auto r = http_call(req);
            if (r && r->status == 200 && !r->body.empty()) {
                ++ok;
            } else {
                std::lock_guard lock(failures_mutex);
                failures.push_back(
                    r ? fmt::format("stream={} status {} body {}", i % 2 == 0, r->status, r->body.substr(0, 200))
                      : fmt::format("stream={} {}", i % 2 == 0, r.error().message));
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& f : failures) UNSCOPED_INFO(f);
    CHECK(ok.load() == 200);
    CHECK(admin_of(*c).get("/api/v1/admin/usage").num("data.total") == 200);
}

TEST_CASE("stub host: stop() is idempotent and the port stops answering") {
    auto c = start_cluster();
    const auto url = c->endpoints().host_url + "/health";
    CHECK(call("GET", url).status == 200);
    c->stop();
    c->stop();
    ClientRequest req;
    req.url = url;
    req.timeout = std::chrono::milliseconds(2000);
    CHECK_FALSE(http_call(req).has_value());
}

TEST_CASE("stub cluster: unknown style or profile is invalid_input") {
    StubOptions bad_style;
    bad_style.upstreams = {{"x", "grok", "healthy"}};
    auto r = StubCluster::start(bad_style);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::invalid_input);
    StubOptions bad_profile;
    bad_profile.host_profile = "does_not_exist";
    CHECK_FALSE(StubCluster::start(bad_profile).has_value());
}

TEST_CASE("stub cluster: default upstreams are deepseek, minimax and kimi (openai style)") {
    auto c = start_cluster();
    const auto& urls = c->endpoints().upstream_urls;
    REQUIRE(urls.size() == 3);
    CHECK_FALSE(urls.at("deepseek").ends_with("/v1"));
    CHECK(urls.at("minimax").ends_with("/v1"));
    CHECK(urls.at("kimi").ends_with("/v1"));
    CHECK(c->endpoints().admin_api_key.starts_with("admin-"));
    CHECK(c->snapshot_json().find("\"groups\"") != std::string::npos);
}

TEST_CASE("stub client: a slow upstream ends as timeout, not a hang") {
    auto path = std::filesystem::temp_directory_path() / ("crm-stub-slow-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"name":"slow","description":"d","upstream":{"latency_ms":3000}})";
    StubOptions o;
    o.host_profile = path.string();
    auto c = start_cluster(o);
    ClientRequest req;
    req.url = c->endpoints().upstream_urls.at("deepseek") + "/models";
    req.headers = {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at("deepseek")}};
    req.timeout = std::chrono::milliseconds(200);
    auto r = http_call(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::timeout);
    c->stop();
    std::filesystem::remove(path);
}

TEST_CASE("stub cluster: the diagnostic snapshot carries no credentials") {
    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    const auto snap = c->snapshot_json();
    CHECK(snap.find(c->endpoints().upstream_keys.at("deepseek")) == std::string::npos);
    CHECK(snap.find(a.key) == std::string::npos);
    CHECK(snap.find(a.user_password) == std::string::npos);
    CHECK(snap.find("\"accounts\"") != std::string::npos);
}

TEST_CASE("stub host: stop() aborts a gateway call stuck on an upstream that never answers") {
    // A listener that never accepts: connect and write succeed, the answer never comes.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string dead = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    admin_of(*c).put(
        "/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]),
        json::serialize(json::object{
            {"credentials",
             json::object{{"base_url", dead}, {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}}}));
    std::thread caller([&] {
        ClientRequest req;
        req.method = "POST";
        req.url = c->endpoints().host_url + "/v1/chat/completions";
        req.headers = {{"Authorization", "Bearer " + a.key}};
        req.body = R"({"model":"deepseek-chat","messages":[{"role":"user","content":"x"}]})";
        (void)http_call(req);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    c->stop();  // would wait for the 300 s upstream deadline without cancellation
    caller.join();
    ::close(fd);
    SUCCEED();
}
