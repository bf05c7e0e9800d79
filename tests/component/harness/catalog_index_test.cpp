// The catalog's SQLite index over real bundles (BundleWriter) in a temp root: what a warm open
// reads again, what it notices, and that any doubt about the file means reading the bundles.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "engine/store/database.hpp"
#include "harness/catalog/catalog.hpp"
#include "harness/catalog/catalog_index.hpp"
#include "harness/catalog/entry_json.hpp"
#include "tests/component/harness/catalog_fixture.hpp"

namespace fs = std::filesystem;
namespace catalog = crm::harness::catalog;
using catalog::Catalog;
using catalog::Trust;
using crm::test::bundle::Fixture;

namespace {

Catalog open(const fs::path& root, bool reindex = false) {
    auto c = Catalog::open({root, reindex, true});
    REQUIRE(c);
    return std::move(*c);
}

// Three finished bundles: <stamp>_default_ci, _2, _3.
std::vector<fs::path> three_bundles(Fixture& f) {
    return {crm::test::catalog_fixture::write_bundle(f), crm::test::catalog_fixture::write_bundle(f), crm::test::catalog_fixture::write_bundle(f)};
}

void flip_one_byte(const fs::path& file) {
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(io);
    io.seekg(5);
    char c = 0;
    io.get(c);
    io.seekp(5);
    io.put(c == 'x' ? 'y' : 'x');
}

const catalog::BundleEntry& by_name(const Catalog& c, const fs::path& dir) {
    for (const auto& e : c.bundles()) {
        if (e.name == dir.filename().string()) return e;
    }
    FAIL("no bundle " << dir);
    return c.bundles().front();
}

}  // namespace

TEST_CASE("catalog index: a cold open reads every bundle, a warm one reads none", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    auto cold = open(f.root);
    CHECK(cold.stats().bundles == 3);
    CHECK(cold.stats().read == 3);
    CHECK(cold.stats().index_rebuilt);
    CHECK(cold.stats().warnings.empty());
    CHECK(fs::exists(f.root / catalog::k_index_file));

    auto warm = open(f.root);
    CHECK(warm.stats().read == 0);
    CHECK(warm.stats().cached == warm.stats().bundles);
    CHECK_FALSE(warm.stats().index_rebuilt);
    REQUIRE(warm.bundles().size() == 3);
    // What the index gives back is what the bundle said.
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(crm::util::json::serialize(catalog::to_json(warm.bundles()[i])) ==
              crm::util::json::serialize(catalog::to_json(cold.bundles()[i])));
    }
    CHECK(warm.bundles()[0].trust == Trust::trusted);
    CHECK(warm.bundles()[0].started.has_value());
}

TEST_CASE("catalog index: touching one bundle re-reads exactly it", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    (void)open(f.root);
    const auto file = dirs[1] / "summary.md";
    fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(5));
    auto c = open(f.root);
    CHECK(c.stats().read == 1);
    CHECK(c.stats().cached == 2);
    CHECK(by_name(c, dirs[1]).trust == Trust::trusted);
    CHECK(open(f.root).stats().read == 0);
}

TEST_CASE("catalog index: a deleted folder disappears from the list and the index", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    (void)open(f.root);
    fs::remove_all(dirs[0]);
    auto c = open(f.root);
    CHECK(c.stats().removed == 1);
    CHECK(c.stats().bundles == 2);
    CHECK(c.bundles().size() == 2);
    CHECK(c.stats().read == 0);
    CHECK(open(f.root).stats().removed == 0);
}

TEST_CASE("catalog index: a changed file is noticed, one that keeps its mtime takes --reindex", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    (void)open(f.root);
    const auto artifact = dirs[2] / "self_service__deepseek" / "10-chat.headers.txt";
    SECTION("the edit moves the mtime") {
        flip_one_byte(artifact);
        auto c = open(f.root);
        CHECK(c.stats().read == 1);
        CHECK(by_name(c, dirs[2]).trust == Trust::untrusted);
    }
    SECTION("the edit puts the mtime back: only a reindex re-hashes") {
        const auto mtime = fs::last_write_time(artifact);
        const auto dir_mtime = fs::last_write_time(artifact.parent_path());
        flip_one_byte(artifact);
        fs::last_write_time(artifact, mtime);
        fs::last_write_time(artifact.parent_path(), dir_mtime);
        CHECK(by_name(open(f.root), dirs[2]).trust == Trust::trusted);
        auto c = open(f.root, /*reindex=*/true);
        CHECK(c.stats().index_rebuilt);
        CHECK(c.stats().read == 3);
        CHECK(by_name(c, dirs[2]).trust == Trust::untrusted);
    }
}

TEST_CASE("catalog index: garbage in the index file is rebuilt with one warning", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    (void)open(f.root);
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(f.root / (std::string(catalog::k_index_file) + suffix));
    REQUIRE(crm::util::write_atomic(f.root / catalog::k_index_file, std::string(4096, '\x5a')));
    auto c = open(f.root);
    REQUIRE(c.stats().warnings.size() == 1);
    CHECK(c.stats().warnings[0].find(catalog::k_index_file) != std::string::npos);
    CHECK(c.stats().warnings[0].find("rebuilding") != std::string::npos);
    CHECK(c.stats().read == 3);
    CHECK(c.stats().index_rebuilt);
    auto warm = open(f.root);
    CHECK(warm.stats().warnings.empty());
    CHECK(warm.stats().cached == 3);
}

TEST_CASE("catalog index: an index of another schema version is rebuilt, never trusted", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    (void)open(f.root);
    {
        auto db = crm::engine::store::Database::open(f.root / catalog::k_index_file);
        REQUIRE(db);
        REQUIRE(db->set_user_version(catalog::k_index_schema_version + 1));
    }
    auto c = open(f.root);
    CHECK(c.stats().index_rebuilt);
    CHECK(c.stats().read == 3);
    CHECK(c.stats().cached == 0);
    CHECK(open(f.root).stats().cached == 3);
}

TEST_CASE("catalog index: a bundle being written is never cached, and is once its run is done", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    fs::path live_dir;
    {
        auto w = crm::test::catalog_fixture::begin_bundle(f, "live");
        live_dir = w.dir();
        auto first = open(f.root);
        CHECK(first.stats().read == 4);
        CHECK(by_name(first, live_dir).writing);
        CHECK(by_name(first, live_dir).trust == Trust::incomplete);
        auto second = open(f.root);
        CHECK(second.stats().read == 1);
        CHECK(second.stats().cached == 3);
    }
    auto after = open(f.root);
    CHECK(after.stats().read == 1);
    CHECK_FALSE(by_name(after, live_dir).writing);
    CHECK(by_name(after, live_dir).trust == Trust::incomplete);
    CHECK(open(f.root).stats().cached == 4);
}

TEST_CASE("catalog index: a root without write permission is listed without an index", "[catalog]") {
    if (::geteuid() == 0) {
        WARN("running as root: permissions do not stop root, nothing to test");
        return;
    }
    Fixture f;
    auto dirs = three_bundles(f);
    fs::permissions(f.root, fs::perms::owner_write, fs::perm_options::remove);
    auto c = Catalog::open({f.root, false, true});
    fs::permissions(f.root, fs::perms::owner_write, fs::perm_options::add);
    REQUIRE(c);
    CHECK(c->bundles().size() == 3);
    REQUIRE(c->stats().warnings.size() == 1);
    CHECK(c->stats().warnings[0].find("read-only") != std::string::npos);
    CHECK_FALSE(fs::exists(f.root / catalog::k_index_file));
}

TEST_CASE("catalog index: an index that cannot be opened at all is bypassed with a warning", "[catalog]") {
    Fixture f;
    auto dirs = three_bundles(f);
    // A non-empty directory where the file should be: neither SQLite nor the rebuild can use it.
    fs::create_directories(f.root / catalog::k_index_file / "occupied");
    auto c = Catalog::open({f.root, false, true});
    REQUIRE(c);
    CHECK(c->bundles().size() == 3);
    CHECK(c->stats().read == 3);
    REQUIRE_FALSE(c->stats().warnings.empty());
    CHECK(c->stats().warnings.back().find("listing without an index") != std::string::npos);
}
