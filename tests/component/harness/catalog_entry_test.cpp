// catalog::read_entry and the index-free Catalog scan over bundles written by the real
// BundleWriter (bundle_fixture.hpp): trusted, tampered, unreadable, incomplete and still-writing.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "harness/catalog/bundle_entry.hpp"
#include "harness/catalog/catalog.hpp"
#include "tests/component/harness/catalog_fixture.hpp"
#include "util/sha256.hpp"

namespace fs = std::filesystem;
namespace catalog = crm::harness::catalog;
using catalog::Trust;
using crm::test::bundle::Fixture;
using crm::test::catalog_fixture::begin_bundle;
using crm::test::catalog_fixture::write_bundle;

namespace {

std::uint64_t file_bytes(const fs::path& dir) {
    std::uint64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) total += e.file_size();
    }
    return total;
}

void flip_one_byte(const fs::path& file) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekg(5);
    char c = 0;
    f.get(c);
    f.seekp(5);
    f.put(c == 'x' ? 'y' : 'x');
}

}  // namespace

TEST_CASE("catalog entry: a bundle the writer finished is trusted, with its gate, cells and size", "[catalog]") {
    Fixture f;
    const fs::path dir = write_bundle(f);
    auto e = catalog::read_entry(dir);
    REQUIRE(e);
    INFO(e->trust_reason);
    CHECK(e->trust == Trust::trusted);
    CHECK(e->trust_reason.empty());
    CHECK_FALSE(e->writing);
    CHECK(e->name == dir.filename().string());
    CHECK(e->stamp == e->name.substr(0, 15));
    CHECK(e->scenario == "default");
    CHECK(e->label == "ci");
    CHECK(e->status == "complete");
    CHECK(e->gate_decision == "blocked");
    CHECK_FALSE(e->gate_passed);
    CHECK(e->exit_code == 2);
    CHECK(e->started.has_value());
    CHECK(e->size_bytes == file_bytes(dir));
    CHECK(e->manifest_sha256 == crm::util::sha256_file(dir / "MANIFEST.sha256").value());
    REQUIRE(e->cells.size() == 2);
    CHECK(e->cells[0].id == "self_service__deepseek");
    CHECK(e->cells[0].finished);
    CHECK(e->cells[0].gate_word == "passed");
    CHECK(e->cells[1].verdict == crm::harness::classify::Verdict::blocked);
    using Counts = std::vector<std::pair<std::string, std::size_t>>;
    CHECK(e->verdict_counts() == Counts{{"pass", 1}, {"blocked", 1}});
}

TEST_CASE("catalog entry: one changed byte in an artifact makes the bundle untrusted", "[catalog]") {
    Fixture f;
    const fs::path dir = write_bundle(f);
    flip_one_byte(dir / "self_service__deepseek" / "10-chat.headers.txt");
    auto e = catalog::read_entry(dir);
    REQUIRE(e);
    CHECK(e->trust == Trust::untrusted);
    CHECK(e->trust_reason.find("10-chat.headers.txt") != std::string::npos);
    // Still read: the operator sees which run it was.
    CHECK(e->scenario == "default");
    CHECK(e->exit_code == 2);
}

TEST_CASE("catalog entry: a bundle that cannot be read is an unreadable entry, never an error", "[catalog]") {
    Fixture f;
    const fs::path dir = write_bundle(f);
    SECTION("no 00-run.json") {
        fs::remove(dir / "00-run.json");
        auto e = catalog::read_entry(dir);
        REQUIRE(e);
        CHECK(e->trust == Trust::unreadable);
        CHECK(e->trust_reason.find("no 00-run.json") != std::string::npos);
        CHECK_FALSE(e->manifest_sha256.empty());
    }
    SECTION("garbage 00-run.json") {
        REQUIRE(crm::util::write_atomic(dir / "00-run.json", "\x01not json{"));
        auto e = catalog::read_entry(dir);
        REQUIRE(e);
        CHECK(e->trust == Trust::unreadable);
        CHECK(e->trust_reason.find("00-run.json") != std::string::npos);
    }
    SECTION("not a directory at all is the one error") {
        auto e = catalog::read_entry(dir / "summary.json");
        REQUIRE_FALSE(e);
        CHECK(e.error().code == crm::util::ErrorCode::io);
    }
}

TEST_CASE("catalog entry: a run that stopped is incomplete, one still writing says so", "[catalog]") {
    Fixture f;
    fs::path dir;
    {
        auto w = begin_bundle(f, "live");
        dir = w.dir();
        auto live = catalog::read_entry(dir);
        REQUIRE(live);
        CHECK(live->writing);
        CHECK(live->trust == Trust::incomplete);
        CHECK(live->trust_reason.find("writing") != std::string::npos);
    }
    // The writer is gone without finalize(): a killed run.
    auto e = catalog::read_entry(dir);
    REQUIRE(e);
    CHECK_FALSE(e->writing);
    CHECK(e->trust == Trust::incomplete);
    CHECK(e->status == "incomplete");
    CHECK(e->exit_code == -1);
    CHECK(e->gate_decision.empty());
    CHECK(e->manifest_sha256.empty());
    REQUIRE(e->cells.size() == 2);
    CHECK(e->cells[0].started_at == "2026-11-24T00:00:01+00:00");
    CHECK_FALSE(e->cells[0].finished);
    CHECK(e->cells[0].gate_word == "not_run");
    CHECK(e->cells[1].started_at.empty());
}

TEST_CASE("catalog: the index-free scan lists bundle folders only, oldest stamp first", "[catalog]") {
    Fixture f;
    const fs::path first = write_bundle(f);
    const fs::path second = write_bundle(f);  // same stamp, "_2" suffix
    fs::create_directories(f.root / "not-a-bundle" / "sub");
    REQUIRE(crm::util::write_atomic(f.root / "README.txt", "notes"));
    fs::rename(first, f.root / "20991231_235959_default");  // a later stamp sorts last
    auto c = catalog::Catalog::open({f.root, false, false});
    REQUIRE(c);
    CHECK(c->stats().bundles == 2);
    CHECK(c->stats().read == 2);
    CHECK(c->stats().cached == 0);
    REQUIRE(c->bundles().size() == 2);
    CHECK(c->bundles()[0].name == second.filename().string());
    CHECK(c->bundles()[1].name == "20991231_235959_default");
    CHECK_FALSE(fs::exists(f.root / ".crm-index.sqlite"));
    auto found = c->find("20991231");
    REQUIRE(found);
    CHECK((*found)->name == "20991231_235959_default");
}

TEST_CASE("catalog: a missing root is not_found naming it", "[catalog]") {
    auto c = catalog::Catalog::open({fs::temp_directory_path() / "crm-no-such-root-xyz", false, false});
    REQUIRE_FALSE(c);
    CHECK(c.error().code == crm::util::ErrorCode::not_found);
    CHECK(c.error().message.find("crm-no-such-root-xyz") != std::string::npos);
}
