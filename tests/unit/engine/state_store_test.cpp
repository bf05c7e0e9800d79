#include "engine/store/state_store.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/store/balance_credits.hpp"
#include "engine/store/database.hpp"
#include "engine/store/migrations.hpp"
#include "tests/unit/engine/state_store_fixture.hpp"

namespace fs = std::filesystem;
using namespace crm::engine;

using crm::test::store_fixture::make_batch;
using crm::test::store_fixture::temp_db;

TEST_CASE("state store: a new file is created 0600 at the current schema version", "[engine]") {
    auto path = temp_db();
    auto s = StateStore::open(path);
    REQUIRE(s);
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(s->schema_version() == k_schema_version);
    CHECK(s->integrity_check() == std::string("ok"));
}

TEST_CASE("state store: reopening an up-to-date file keeps its data", "[engine]") {
    auto path = temp_db();
    std::int64_t id = 0;
    {
        auto s = StateStore::open(path);
        REQUIRE(s);
        id = make_batch(*s);
    }
    auto s = StateStore::open(path);
    REQUIRE(s);
    auto b = s->batch(id);
    REQUIRE(b);
    CHECK(b->provider == "deepseek");
    CHECK(b->modes == std::vector<AccessMode>{AccessMode::self_service, AccessMode::subscription});
    CHECK(b->status == BatchStatus::pending);
    CHECK(b->owner_run == "9ce9b2ea");  // which run must remove it (recover)
}

TEST_CASE("state store: a file from a newer crm-accept is refused with both versions named", "[engine]") {
    auto path = temp_db();
    {
        auto db = store::Database::open(path);
        REQUIRE(db);
        REQUIRE(db->set_user_version(k_schema_version + 5));
    }
    auto s = StateStore::open(path);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == crm::util::ErrorCode::invalid_input);
    CHECK(s.error().message.find(std::to_string(k_schema_version + 5)) != std::string::npos);
    CHECK(s.error().message.find("knows only up to " + std::to_string(k_schema_version)) != std::string::npos);
}

TEST_CASE("state store: migrations are applied in order from version 0", "[engine]") {
    auto path = temp_db();
    auto db = store::Database::open(path);
    REQUIRE(db);
    CHECK(db->user_version() == 0);
    REQUIRE(store::migrate(*db));
    CHECK(db->user_version() == static_cast<std::int64_t>(store::migrations().size()));
    auto tables = db->query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
    REQUIRE(tables);
    std::vector<std::string> names;
    for (auto& r : *tables) names.push_back(r.text(0));
    for (auto want : {"access_closures", "balance_credits", "batch_resources", "hosts", "import_batches", "packs",
                      "providers", "reconcile_runs", "host_credentials", "idempotency_records"}) {
        CHECK(std::find(names.begin(), names.end(), want) != names.end());
    }
    REQUIRE(store::migrate(*db));  // idempotent
}

TEST_CASE("state store: a version-1 file is upgraded in place and keeps its batches", "[engine]") {
    auto path = temp_db();
    {
        // A file as the first release wrote it: only the v1 schema.
        auto db = store::Database::open(path);
        REQUIRE(db);
        REQUIRE(db->exec(store::migrations()[0]));
        REQUIRE(db->set_user_version(1));
        REQUIRE(db->execute("INSERT INTO hosts(name, url, created_at) VALUES ('old', 'http://old:1', 'x')"));
    }
    auto s = StateStore::open(path);
    REQUIRE(s);
    CHECK(s->schema_version() == k_schema_version);
    CHECK(s->find_host("http://old:1")->has_value());
    // Batches from before v3 have no owner run: they are installed providers.
    REQUIRE(s->transaction([](store::Database& db) -> crm::util::Result<void> {
        auto r = db.execute(
            "INSERT INTO import_batches(host_id, pack_id, provider, platform, name_prefix, modes, "
            "status, provider_status, created_at, updated_at) VALUES (1, 'cn', 'kimi', 'moonshot', "
            "'p', 'self_service', 'succeeded', 'active', 'x', 'x')");
        if (!r) return std::unexpected(r.error());
        return {};
    }));
    auto all = s->batches();
    REQUIRE(all);
    REQUIRE_FALSE(all->empty());
    CHECK(all->front().owner_run.empty());
    const auto batch = make_batch(*s);
    BalanceCredits ledger(*s);
    BalanceCreditRecord c;
    c.batch_id = batch;
    c.user_id = 9;
    c.user_email = "ops@example.com";
    c.amount = 5;
    c.idempotency_key = "k1";
    auto id = ledger.journal(c);
    REQUIRE(id);
    REQUIRE(ledger.mark(*id, CreditState::taken_back, 4.5, "0.5 spent"));
    auto rows = ledger.of_batch(batch);
    REQUIRE(rows);
    REQUIRE(rows->size() == 1);
    CHECK(rows->front().state == CreditState::taken_back);
    CHECK(rows->front().taken_back == 4.5);
    CHECK(rows->front().idempotency_key == "k1");
    CHECK_FALSE(ledger.mark(*id + 1, CreditState::applied, 0));  // not journaled

    // A journaled subtract survives a failed attempt (it must be replayed as it was) and is
    // cleared once the credit is settled.
    auto second = ledger.journal(c);
    REQUIRE(second);
    REQUIRE(ledger.mark(*second, CreditState::applied, 0));
    REQUIRE(ledger.mark_pending(*second, 3.25, "k1-back-x"));
    REQUIRE(ledger.mark(*second, CreditState::take_back_failed, 0, "subtract: timeout"));
    auto after_fail = ledger.of_batch(batch);
    REQUIRE(after_fail);
    CHECK(after_fail->back().pending_back == 3.25);
    CHECK(after_fail->back().pending_key == "k1-back-x");
    REQUIRE(ledger.mark(*second, CreditState::taken_back, 3.25));
    auto settled = ledger.of_batch(batch);
    REQUIRE(settled);
    CHECK(settled->back().pending_back == 0);
    CHECK(settled->back().pending_key.empty());
    c.amount = 0;
    CHECK_FALSE(ledger.journal(c));  // the schema refuses a zero credit
}

TEST_CASE("state store: batch status changes follow the lifecycle", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    auto id = make_batch(*s);
    CHECK_FALSE(s->set_batch_status(id, BatchStatus::succeeded, std::nullopt));
    REQUIRE(s->set_batch_status(id, BatchStatus::running, std::nullopt));
    REQUIRE(s->set_batch_status(id, BatchStatus::succeeded, std::nullopt));
    auto b = s->batch(id);
    REQUIRE(b);
    CHECK(b->status == BatchStatus::succeeded);
    CHECK(b->provider_status == ProviderStatus::active);
    auto bad = s->set_batch_status(id, BatchStatus::running, std::nullopt);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "batch " + std::to_string(id) + " is succeeded; it cannot become running");
    CHECK(s->batch(id)->status == BatchStatus::succeeded);
    CHECK(s->batch(9999).error().code == crm::util::ErrorCode::not_found);
}

TEST_CASE("state store: intents get increasing order and become created with a host id", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    auto id = make_batch(*s);
    ResourceRecord g{0, id, ResourceKind::group, 0, "t1-grp", AccessMode::self_service, {}, {}, R"({"a":1})", {}, {}};
    auto r1 = s->journal_intent(g);
    REQUIRE(r1);
    g.kind = ResourceKind::account;
    g.name = "t1-acct-1";
    auto r2 = s->journal_intent(g);
    REQUIRE(r2);
    REQUIRE(s->mark_created(*r1, 42));
    auto rs = s->resources(id);
    REQUIRE(rs);
    REQUIRE(rs->size() == 2);
    CHECK((*rs)[0].ord == 1);
    CHECK((*rs)[1].ord == 2);
    CHECK((*rs)[0].state == ResourceState::created);
    CHECK((*rs)[0].host_id == 42);
    CHECK((*rs)[1].state == ResourceState::intent);
    CHECK_FALSE((*rs)[1].host_id.has_value());
    CHECK((*rs)[0].mode == AccessMode::self_service);
    auto host = s->find_host("http://127.0.0.1:1");
    REQUIRE(host);
    REQUIRE(host->has_value());
    auto live = s->live_resources((*host)->id);
    REQUIRE(live);
    CHECK(live->size() == 2);
    REQUIRE(s->mark_state(*r2, ResourceState::absent));
    CHECK(s->live_resources((*host)->id)->size() == 1);
}

TEST_CASE("state store: access closures keep reusable credentials per batch and mode", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    auto id = make_batch(*s);
    AccessClosureRecord a;
    a.batch_id = id;
    a.mode = AccessMode::subscription;
    a.access_status = AccessStatus::subscription_ready;
    a.user_email = "u@example.test";
    a.user_password = "pw-123456";
    a.user_id = 7;
    a.api_key = "sk-abc";
    REQUIRE(s->upsert_access(a));
    a.access_status = AccessStatus::broken;
    REQUIRE(s->upsert_access(a));
    auto got = s->access(id, AccessMode::subscription);
    REQUIRE(got);
    REQUIRE(got->has_value());
    CHECK((*got)->access_status == AccessStatus::broken);
    CHECK((*got)->user_password == "pw-123456");
    CHECK((*got)->user_id == 7);
    CHECK_FALSE(s->access(id, AccessMode::self_service)->has_value());
    CHECK(s->access_closures(id)->size() == 1);
}

TEST_CASE("state store: a pack install replaces its provider list", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    PackRecord p{"cn", "1", "abc", "packs/cn.json", {}, {{"deepseek", "deepseek", "{}"}, {"kimi", "kimi", "{}"}}};
    REQUIRE(s->install_pack(p));
    p.version = "2";
    p.providers = {{"glm", "zhipu", "{}"}};
    REQUIRE(s->install_pack(p));
    auto packs = s->packs();
    REQUIRE(packs);
    REQUIRE(packs->size() == 1);
    CHECK((*packs)[0].version == "2");
    REQUIRE((*packs)[0].providers.size() == 1);
    CHECK((*packs)[0].providers[0].name == "glm");
}

TEST_CASE("state store: a failed transaction leaves nothing behind", "[engine]") {
    auto s = StateStore::open(temp_db());
    REQUIRE(s);
    auto id = make_batch(*s);
    auto r = s->transaction([&](store::Database& db) -> crm::util::Result<void> {
        auto u = db.execute("UPDATE import_batches SET error = 'x' WHERE id = ?", {id});
        if (!u) return std::unexpected(u.error());
        return crm::util::fail(crm::util::ErrorCode::internal, "abort");
    });
    CHECK_FALSE(r);
    CHECK(s->batch(id)->error.empty());
}
