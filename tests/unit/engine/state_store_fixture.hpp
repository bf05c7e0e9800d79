#pragma once
// A fresh state file per test and a batch written through the store (both access modes).
#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/store/state_store.hpp"
#include "util/random.hpp"

namespace crm::test::store_fixture {

inline std::filesystem::path temp_db() {
    auto dir = std::filesystem::temp_directory_path() / ("crm-store-test-" + util::random_hex(6));
    std::filesystem::create_directories(dir);
    return dir / "engine.db";
}

inline std::int64_t make_batch(engine::StateStore& s) {
    auto host = s.upsert_host("stub", "http://127.0.0.1:1/");
    REQUIRE(host);
    engine::BatchRecord b;
    b.host_id = *host;
    b.pack_id = "cn";
    b.provider = "deepseek";
    b.platform = "deepseek";
    b.name_prefix = "t1";
    b.modes = {engine::AccessMode::self_service, engine::AccessMode::subscription};
    b.owner_run = "9ce9b2ea";
    auto id = s.create_batch(b);
    REQUIRE(id);
    return *id;
}

}  // namespace crm::test::store_fixture
