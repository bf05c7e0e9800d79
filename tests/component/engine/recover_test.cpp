// recover against a stub host: what a dead `crm-accept run` owned is removed whatever its
// status, an installed provider stays, and a recover pointed at the wrong host URL refuses.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::test::EngineRig;

namespace {

using crm::test::full_flow;

// Every resource row of every batch with `prefix` is deleted or absent (never left maybe-there).
void check_nothing_owned(EngineRig& rig, const std::string& prefix) {
    auto batches = rig.store->batches();
    REQUIRE(batches);
    for (const auto& b : *batches) {
        if (b.name_prefix != prefix) continue;
        CHECK(b.status == BatchStatus::rolled_back);
        auto rs = rig.store->resources(b.id);
        REQUIRE(rs);
        for (const auto& r : *rs) {
            INFO(to_string(r.kind) << " " << r.name << " " << to_string(r.state));
            CHECK((r.state == ResourceState::deleted || r.state == ResourceState::absent));
        }
    }
}

}  // namespace

TEST_CASE("engine: recover alone removes a dead run's batch after any host write, ready or not",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto count_req = rig->request({AccessMode::self_service, AccessMode::subscription}, "runcount", "tok0");
    full_flow(*rig->engine, rig->host, count_req);
    const std::size_t total = rig->engine->host_writes();
    REQUIRE(total >= 9);

    // n == total + 1: the process dies after the whole flow succeeded (both modes ready), as a
    // run killed during its probes does.
    for (std::size_t n = 1; n <= total + 1; ++n) {
        const std::string prefix = "runcrash" + std::to_string(n);
        auto req =
            rig->request({AccessMode::self_service, AccessMode::subscription}, prefix, "tok" + std::to_string(n));
        const int status = rig->run_killed_after_write(n, [&](Engine& e) { full_flow(e, rig->host, req); });
        INFO("killed after host write " << n);
        REQUIRE(WIFEXITED(status));

        rig->make_engine();
        REQUIRE(rig->host_resources_named(prefix) > 0);
        auto rec = rig->engine->recover(rig->host);
        REQUIRE(rec);
        CHECK(rec->clean());
        CHECK(rec->remaining.empty());
        CHECK(rig->host_resources_named(prefix) == 0);  // no explicit rollback needed
        check_nothing_owned(*rig, prefix);
    }
}

TEST_CASE("engine: recover leaves an installed provider (engine import) in place", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}, "installed"));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    auto acc = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::self_service, {});
    REQUIRE(acc);
    const auto before = rig->host_resources_named("installed");
    auto rec = rig->engine->recover(rig->host);
    REQUIRE(rec);
    CHECK(rec->clean());
    CHECK(rec->batches_kept == std::vector<std::int64_t>{imp->batch_id});
    CHECK(rec->batches_rolled_back.empty());
    CHECK(rig->host_resources_named("installed") == before);
    CHECK(rig->store->batch(imp->batch_id)->status == BatchStatus::succeeded);
}

TEST_CASE("engine: recover pointed at another host URL than the batches' refuses and records nothing",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}, "elsewhere", "tokx"));
    REQUIRE(imp);
    auto other = rig->host;
    other.url = "http://127.0.0.1:9";  // nothing listens; must not even be contacted
    auto rec = rig->engine->recover(other);
    REQUIRE_FALSE(rec);
    CHECK(rec.error().code == util::ErrorCode::conflict);
    CHECK(rec.error().message.find(rig->host.url) != std::string::npos);  // names the right URL
    CHECK_FALSE(rig->store->find_host("http://127.0.0.1:9")->has_value());
    CHECK(rig->host_resources_named("elsewhere") > 0);  // untouched
    // The right URL (trailing slash or not) recovers it.
    auto same = rig->host;
    same.url += "/";
    auto ok = rig->engine->recover(same);
    REQUIRE(ok);
    CHECK(ok->clean());
    CHECK(rig->host_resources_named("elsewhere") == 0);
}

TEST_CASE("engine: recover that cannot read the host back lists every leftover and is not clean",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}, "unreach", "toku"));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    std::size_t owned = 0;
    for (const auto& r : imp->resources) owned += r.state == ResourceState::created;
    REQUIRE(owned >= 3);   // group, account(s), channel
    rig->cluster->stop();  // the host goes away: nothing can be deleted or read back
    auto rec = rig->engine->recover(rig->host);
    REQUIRE(rec);
    CHECK_FALSE(rec->clean());
    CHECK(rec->batches_failed == std::vector<std::int64_t>{imp->batch_id});
    REQUIRE(rec->remaining.size() == owned);
    for (const auto& l : rec->remaining) {
        CHECK(l.batch_id == imp->batch_id);
        CHECK(l.detail.find("read-back failed") != std::string::npos);
        CHECK(l.line().starts_with("batch " + std::to_string(imp->batch_id) + ": "));
    }
    CHECK(rig->store->batch(imp->batch_id)->status == BatchStatus::rollback_failed);
}
