#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "engine/store/state_store.hpp"
#include "util/random.hpp"

using namespace crm::engine;

namespace {

// One writer process: batches with three journaled, then created, resources each.
int hammer(const std::filesystem::path& db, int worker, int batches) {
    auto s = StateStore::open(db);
    if (!s) {
        std::fprintf(stderr, "worker %d: %s\n", worker, s.error().message.c_str());
        return 2;
    }
    auto host = s->upsert_host("shared", "http://127.0.0.1:9");
    if (!host) return 3;
    for (int i = 0; i < batches; ++i) {
        BatchRecord b;
        b.host_id = *host;
        b.pack_id = "p";
        b.provider = "w" + std::to_string(worker);
        b.platform = "deepseek";
        b.name_prefix = "w" + std::to_string(worker) + "-" + std::to_string(i);
        b.modes = {AccessMode::self_service};
        auto id = s->create_batch(b);
        if (!id) return 4;
        if (!s->set_batch_status(*id, BatchStatus::running, std::nullopt)) return 5;
        for (int k = 0; k < 3; ++k) {
            ResourceRecord r;
            r.batch_id = *id;
            r.kind = ResourceKind::account;
            r.name = b.name_prefix + "-" + std::to_string(k);
            auto row = s->journal_intent(r);
            if (!row) return 6;
            if (!s->mark_created(*row, *id * 10 + k)) return 7;
        }
        if (!s->set_batch_status(*id, BatchStatus::succeeded, std::nullopt)) return 8;
    }
    return 0;
}

}  // namespace

TEST_CASE("state store: two processes hammering one file leave it intact and consistent", "[engine][component]") {
    auto dir = std::filesystem::temp_directory_path() / ("crm-store-mp-" + crm::util::random_hex(6));
    std::filesystem::create_directories(dir);
    const auto db = dir / "engine.db";
    constexpr int k_batches = 60;
    pid_t pids[2];
    for (int w = 0; w < 2; ++w) {
        pids[w] = ::fork();
        REQUIRE(pids[w] >= 0);
        if (pids[w] == 0) ::_exit(hammer(db, w, k_batches));
    }
    for (int w = 0; w < 2; ++w) {
        int status = 0;
        REQUIRE(::waitpid(pids[w], &status, 0) == pids[w]);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto s = StateStore::open(db);
    REQUIRE(s);
    CHECK(s->integrity_check() == std::string("ok"));
    auto batches = s->batches();
    REQUIRE(batches);
    CHECK(batches->size() == 2 * k_batches);
    std::size_t resources = 0;
    for (const auto& b : *batches) {
        CHECK(b.status == BatchStatus::succeeded);
        auto rs = s->resources(b.id);
        REQUIRE(rs);
        REQUIRE(rs->size() == 3);
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK((*rs)[k].ord == static_cast<std::int64_t>(k + 1));
            CHECK((*rs)[k].state == ResourceState::created);
            CHECK((*rs)[k].name.rfind(b.name_prefix, 0) == 0);  // no cross-batch mix-up
        }
        resources += rs->size();
    }
    CHECK(resources == 6 * k_batches);
    CHECK(s->find_host("http://127.0.0.1:9")->has_value());
}
