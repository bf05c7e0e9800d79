// Enum columns read back from the state file: text this build does not know (a hand edit, a
// newer crm-accept) fails the read with the table, column, row and text named; it never becomes
// a default such as a resource kind that rollback would delete.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "engine/store/balance_credits.hpp"
#include "engine/store/database.hpp"
#include "engine/store/state_store.hpp"
#include "tests/unit/engine/state_store_fixture.hpp"

namespace fs = std::filesystem;
using namespace crm::engine;
using crm::util::ErrorCode;

namespace {

// A state file holding one batch, one account resource, one access closure and one balance
// credit, all written through the store itself.
struct Seeded {
    fs::path path;
    std::int64_t batch = 0;
    std::int64_t resource = 0;
    std::int64_t closure = 0;  // access_closures rowid
    std::int64_t credit = 0;
};

Seeded seed() {
    Seeded out;
    out.path = crm::test::store_fixture::temp_db();
    auto s = StateStore::open(out.path);
    REQUIRE(s);
    out.batch = crm::test::store_fixture::make_batch(*s);
    ResourceRecord r;
    r.batch_id = out.batch;
    r.kind = ResourceKind::account;
    r.name = "t1-acct";
    r.mode = AccessMode::self_service;
    auto resource = s->journal_intent(r);
    REQUIRE(resource);
    out.resource = *resource;
    AccessClosureRecord a;
    a.batch_id = out.batch;
    a.mode = AccessMode::self_service;
    a.access_status = AccessStatus::self_service_ready;
    REQUIRE(s->upsert_access(a));
    REQUIRE(s->transaction([&](store::Database& db) -> crm::util::Result<void> {
        auto rows = db.query("SELECT rowid FROM access_closures WHERE batch_id = ?", {out.batch});
        if (!rows) return std::unexpected(rows.error());
        REQUIRE(rows->size() == 1);
        out.closure = (*rows)[0].i64(0);
        return {};
    }));
    BalanceCreditRecord c;
    c.batch_id = out.batch;
    c.user_id = 9;
    c.user_email = "ops@example.com";
    c.amount = 5;
    c.idempotency_key = "k1";
    BalanceCredits ledger(*s);
    auto credit = ledger.journal(c);
    REQUIRE(credit);
    out.credit = *credit;
    return out;
}

// Sets one column of one row past the schema's CHECK constraints, as a hand edit of the file
// could, then reopens the file through the store.
StateStore reopened_with(const Seeded& seeded, const std::string& table, const std::string& column,
                         const std::string& value, std::int64_t row) {
    {
        auto db = store::Database::open(seeded.path);
        REQUIRE(db);
        REQUIRE(db->exec("PRAGMA ignore_check_constraints = ON"));
        auto changed = db->execute("UPDATE " + table + " SET " + column + " = ? WHERE rowid = ?", {value, row});
        REQUIRE(changed);
        REQUIRE(*changed == 1);
    }
    auto s = StateStore::open(seeded.path);
    REQUIRE(s);
    return std::move(*s);
}

std::string unknown(const std::string& table, const std::string& column, std::int64_t row, const std::string& text) {
    return "state store: " + table + "." + column + " row " + std::to_string(row) + ": unknown value \"" + text + "\"";
}

template <class T>
void check_unknown(const crm::util::Result<T>& r, const std::string& message) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_input);
    CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("state store: an unknown resource kind fails every read of it, never becomes a group", "[engine]") {
    auto seeded = seed();
    auto s = reopened_with(seeded, "batch_resources", "kind", "gruop", seeded.resource);
    const auto want = unknown("batch_resources", "kind", seeded.resource, "gruop");
    check_unknown(s.resources(seeded.batch), want);
    auto batch = s.batch(seeded.batch);
    REQUIRE(batch);
    check_unknown(s.live_resources(batch->host_id), want);
}

TEST_CASE("state store: an unknown resource state or mode fails the read", "[engine]") {
    for (auto [column, value] : {std::pair{"state", "created?"}, std::pair{"mode", "selfservice"}}) {
        INFO(column);
        auto seeded = seed();
        auto s = reopened_with(seeded, "batch_resources", column, value, seeded.resource);
        check_unknown(s.resources(seeded.batch), unknown("batch_resources", column, seeded.resource, value));
    }
}

TEST_CASE("state store: an unknown batch status fails reads and status changes", "[engine]") {
    auto seeded = seed();
    auto s = reopened_with(seeded, "import_batches", "status", "paused", seeded.batch);
    const auto want = unknown("import_batches", "status", seeded.batch, "paused");
    check_unknown(s.batch(seeded.batch), want);
    check_unknown(s.batches(), want);
    check_unknown(s.set_batch_status(seeded.batch, BatchStatus::running, std::nullopt, ""), want);
}

TEST_CASE("state store: an unknown provider status or access mode in a batch fails the read", "[engine]") {
    auto seeded = seed();
    {
        auto s = reopened_with(seeded, "import_batches", "provider_status", "dormant", seeded.batch);
        check_unknown(s.batch(seeded.batch), unknown("import_batches", "provider_status", seeded.batch, "dormant"));
    }
    auto s = reopened_with(seeded, "import_batches", "modes", "self_service,pay_as_you_go", seeded.batch);
    check_unknown(s.batch(seeded.batch), unknown("import_batches", "modes", seeded.batch, "pay_as_you_go"));
}

TEST_CASE("state store: an unknown access status or mode in a closure fails the read", "[engine]") {
    auto seeded = seed();
    {
        auto s = reopened_with(seeded, "access_closures", "access_status", "ready", seeded.closure);
        const auto want = unknown("access_closures", "access_status", seeded.closure, "ready");
        check_unknown(s.access(seeded.batch, AccessMode::self_service), want);
        check_unknown(s.access_closures(seeded.batch), want);
    }
    auto s = reopened_with(seeded, "access_closures", "mode", "trial", seeded.closure);
    check_unknown(s.access_closures(seeded.batch), unknown("access_closures", "mode", seeded.closure, "trial"));
}

TEST_CASE("state store: an unknown balance credit state or mode fails the ledger read", "[engine]") {
    for (auto [column, value] : {std::pair{"state", "refunded"}, std::pair{"mode", "trial"}}) {
        INFO(column);
        auto seeded = seed();
        auto s = reopened_with(seeded, "balance_credits", column, value, seeded.credit);
        BalanceCredits ledger(s);
        check_unknown(ledger.of_batch(seeded.batch), unknown("balance_credits", column, seeded.credit, value));
    }
}

TEST_CASE("state store: a batch with no modes still reads back", "[engine]") {
    auto seeded = seed();
    auto s = reopened_with(seeded, "import_batches", "modes", "", seeded.batch);
    auto batch = s.batch(seeded.batch);
    REQUIRE(batch);
    CHECK(batch->modes.empty());
}
