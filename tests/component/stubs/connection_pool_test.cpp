// The stub's HTTP client over a ConnectionPool (keep-alive reuse, a connection the server closed,
// the per-call deadline) and the account listing's version-based ETag.
#include <thread>

#include "stubs/http/http_server.hpp"
#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

namespace {

Response hello(const Request&) { return Response{200, {}, "application/json", R"({"hello":true})", {}}; }

crm::util::Result<ClientReply> get(std::uint16_t port, ConnectionPool& pool, int timeout_ms = 5000) {
    ClientRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
    r.timeout = std::chrono::milliseconds(timeout_ms);
    return http_call(r, &pool);
}

}  // namespace

TEST_CASE("stub client: a pooled keep-alive connection is reused for the next call") {
    auto server = HttpServer::start(0, hello, 1 << 20);
    REQUIRE(server.has_value());
    ConnectionPool pool;
    for (int i = 0; i < 3; ++i) {
        auto r = get((*server)->port(), pool);
        REQUIRE(r.has_value());
        CHECK(r->status == 200);
        CHECK(r->body == R"({"hello":true})");
    }
    CHECK(pool.opened() == 1);
    CHECK(pool.reused() == 2);
}

TEST_CASE("stub client: a pooled connection the server closed is replaced by a fresh one") {
    auto first = HttpServer::start(0, hello, 1 << 20);
    REQUIRE(first.has_value());
    const auto port = (*first)->port();
    ConnectionPool pool;
    REQUIRE(get(port, pool).has_value());
    (*first)->stop();  // closes the idle keep-alive connection the pool holds
    auto second = HttpServer::start(port, hello, 1 << 20);
    REQUIRE(second.has_value());
    auto r = get(port, pool);
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(pool.opened() == 2);
}

TEST_CASE("stub client: the whole-call deadline ends a call whose server does not answer") {
    std::atomic<bool> release{false};
    auto server = HttpServer::start(
        0,
        [&](const Request&) {
            while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return hello(Request{});
        },
        1 << 20);
    REQUIRE(server.has_value());
    ConnectionPool pool;
    auto r = get((*server)->port(), pool, 200);
    release.store(true);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::timeout);
}

TEST_CASE("stub host: the account listing's ETag changes with every change and keys the query") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"eg","platform":"deepseek","rate_multiplier":1})");
    const auto gid = g.num("data.id");
    auto body = json::object{{"name", "acc"},
                             {"platform", "deepseek"},
                             {"type", "apikey"},
                             {"credentials", json::object{{"api_key", "sk-x"}, {"base_url", "http://127.0.0.1:9"}}},
                             {"group_ids", json::array{gid}}};
    auto a = admin.post("/api/v1/admin/accounts", json::serialize(body));
    const auto etag = admin.get("/api/v1/admin/accounts").header("etag");
    REQUIRE_FALSE(etag.empty());
    CHECK(admin.get("/api/v1/admin/accounts?page_size=5").header("etag") != etag);
    // A change of a group the account shows (its name) is a change of the listing too.
    admin.put("/api/v1/admin/groups/" + std::to_string(gid), R"({"name":"eg-renamed"})");
    auto after = call("GET", c->endpoints().host_url + "/api/v1/admin/accounts", {},
                      {{"x-api-key", admin.key}, {"If-None-Match", etag}});
    CHECK(after.status == 200);
    CHECK(after.num("data.total") == 1);
    const auto fresh = after.header("etag");
    CHECK(fresh != etag);
    auto again = call("GET", c->endpoints().host_url + "/api/v1/admin/accounts", {},
                      {{"x-api-key", admin.key}, {"If-None-Match", fresh}});
    CHECK(again.status == 304);
}
