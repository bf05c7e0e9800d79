// The state store's control-plane tables: host credentials and idempotency records.
#include <catch2/catch.hpp>

#include "engine/store/host_credentials.hpp"
#include "engine/store/idempotency_records.hpp"
#include "state_store_fixture.hpp"

using namespace crm::engine;
using crm::test::store_fixture::temp_db;
using Kind = IdempotencyClaim::Kind;

TEST_CASE("host credentials: stored per host, replaced on put, read back as written", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    auto host = s->upsert_host("a", "http://a:1");
    REQUIRE(host);
    HostCredentials creds(*s);
    auto none = creds.get(*host);
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    HostCredentialsRecord c{*host, AdminAuth::key, "admin-literal-key", "", "", "", true, ""};
    REQUIRE(creds.put(c));
    auto got = creds.get(*host);
    REQUIRE(got);
    REQUIRE(got->has_value());
    CHECK((*got)->admin_auth == AdminAuth::key);
    CHECK((*got)->admin_key == "admin-literal-key");
    CHECK((*got)->accept_compliance);
    REQUIRE(creds.put(HostCredentialsRecord{*host, AdminAuth::login, "", "", "ops@example.com", "PW", false, ""}));
    auto all = creds.all();
    REQUIRE(all);
    REQUIRE(all->size() == 1);
    CHECK(all->front().admin_auth == AdminAuth::login);
    CHECK(all->front().admin_key.empty());
    CHECK(all->front().admin_password_env == "PW");
}

TEST_CASE("idempotency records: claim, replay, mismatch, in progress, expiry and restart", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    IdempotencyRecords rec(*s);
    const std::chrono::seconds ttl{100};
    CHECK(rec.begin("k1", "f1", 1000, ttl)->kind == Kind::started);
    CHECK(rec.begin("k1", "f1", 1001, ttl)->kind == Kind::in_progress);
    CHECK(rec.begin("k1", "f2", 1001, ttl)->kind == Kind::mismatch);
    REQUIRE(rec.finish("k1", 201, R"({"batch_id":7})"));
    auto replay = rec.begin("k1", "f1", 1050, ttl);
    REQUIRE(replay);
    CHECK(replay->kind == Kind::replay);
    CHECK(replay->status == 201);
    CHECK(replay->response_json == R"({"batch_id":7})");
    // After the ttl the key is free again, whatever the body.
    CHECK(rec.begin("k1", "f2", 1100, ttl)->kind == Kind::started);
    // An abandoned claim leaves no trace; a running one is dropped by clear_running.
    CHECK(rec.begin("k2", "f", 1100, ttl)->kind == Kind::started);
    REQUIRE(rec.abandon("k2"));
    CHECK(rec.begin("k2", "f", 1100, ttl)->kind == Kind::started);
    CHECK(rec.clear_running() == 2);
    CHECK(rec.begin("k1", "f3", 1100, ttl)->kind == Kind::started);
}
