#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::test::EngineRig;

using crm::test::full_flow;

TEST_CASE("engine: a process killed after any host write is recovered with nothing left on the host",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    // Count the host writes of an uninterrupted run.
    auto probe_req = rig->request({AccessMode::self_service, AccessMode::subscription}, "count");
    full_flow(*rig->engine, rig->host, probe_req);
    const std::size_t total = rig->engine->host_writes();
    REQUIRE(total >= 9);  // 2 groups, 2 accounts, channel, user+balance+key, user+subscription+key

    for (std::size_t n = 1; n <= total; ++n) {
        const std::string prefix = "crash" + std::to_string(n);
        auto req = rig->request({AccessMode::self_service, AccessMode::subscription}, prefix);
        const int status = rig->run_killed_after_write(n, [&](Engine& e) { full_flow(e, rig->host, req); });
        INFO("crash after host write " << n);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 42);

        rig->make_engine();
        REQUIRE(rig->host_resources_named(prefix) > 0);  // the crash left something behind
        auto rec = rig->engine->recover(rig->host);
        REQUIRE(rec);
        CHECK(rec->clean());
        // A batch whose import had finished is still the operator's: roll it back explicitly.
        auto batches = rig->store->batches();
        REQUIRE(batches);
        for (const auto& b : *batches) {
            if (b.name_prefix != prefix || b.status == BatchStatus::rolled_back) continue;
            auto rb = rig->engine->rollback(rig->host, b.id);
            REQUIRE(rb);
            CHECK(rb->batch_status == BatchStatus::rolled_back);
        }
        CHECK(rig->host_resources_named(prefix) == 0);
        for (const auto& b : *batches) {
            auto rs = rig->store->resources(b.id);
            REQUIRE(rs);
            for (const auto& r : *rs) CHECK(r.state != ResourceState::intent);
        }
    }
    CHECK(rig->store->integrity_check() == std::string("ok"));
}
