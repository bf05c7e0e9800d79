// What the built binary does with earlier bundles that do not stand for a whole, finished run:
// `merge` of shards that do not cover the matrix, `run --rerun-failed` of an interrupted or
// foreign bundle, and `verify` of an interrupted one. Bundles are produced by real stub runs and
// then cut down the way an interruption or a missing shard leaves them.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "harness/evidence/manifest.hpp"
#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;
namespace json = crm::util::json;

namespace {

// One finished default run (6 cells, exit 0), made once per test process and removed at exit;
// tests work on copies.
struct FullRun {
    fs::path root = temp_dir("cov-full");
    fs::path bundle;
    ~FullRun() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

const fs::path& full_run() {
    static FullRun run;
    if (run.bundle.empty()) {
        auto r = run_cli({"run", "--out", run.root.string()});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        run.bundle = only_bundle(run.root);
    }
    return run.bundle;
}

fs::path copy_of(const fs::path& bundle, const fs::path& dir) {
    auto dst = dir / bundle.filename();
    fs::create_directories(dir);
    fs::copy(bundle, dst, fs::copy_options::recursive);
    return dst;
}

// Rewrites a field of 00-run.json (the way an interrupted run or another machine leaves it).
void set_run_field(const fs::path& bundle, const char* object, const char* key, const char* value) {
    auto run = read_json(bundle / "00-run.json");
    REQUIRE(run.is_object());
    auto& target = object ? run.as_object()[object].as_object() : run.as_object();
    target[key] = value;
    REQUIRE(crm::util::write_atomic(bundle / "00-run.json", json::serialize(run)).has_value());
}

// Re-seals a bundle after an edit, so the only thing wrong with it is what the test planted.
void reseal(const fs::path& bundle) {
    auto entries = crm::harness::evidence::compute_manifest(bundle);
    REQUIRE(entries.has_value());
    REQUIRE(crm::util::write_atomic(bundle / crm::harness::evidence::k_manifest_name,
                                    crm::harness::evidence::format_manifest(*entries))
                .has_value());
}

std::set<std::string> cell_ids(const json::value& summary) {
    std::set<std::string> out;
    for (const auto& [id, cause] : causes_of(summary)) out.insert(id);
    return out;
}

bool has_bundle(const fs::path& root) { return fs::exists(root) && !only_bundle(root).empty(); }

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("e2e merge: one shard of two is refused, naming the missing cells, and writes nothing") {
    auto dir = temp_dir("cov-merge1");
    auto a = run_cli({"run", "--shard", "1/2", "--out", (dir / "a").string()});
    REQUIRE(a.exit_code == 0);
    auto m = run_cli({"merge", only_bundle(dir / "a").string(), "--out", (dir / "merged").string()});
    INFO(m.out << m.err);
    CHECK(m.exit_code == 3);
    CHECK(m.err.find("do not cover the matrix") != std::string::npos);
    // Shard 1/2 holds matrix indexes 0, 2, 4; the other shard's cells are named.
    for (const char* missing : {"self_service__deepseek", "subscription__kimi", "subscription__minimax"})
        CHECK(m.err.find(missing) != std::string::npos);
    CHECK(m.err.find("self_service__kimi") == std::string::npos);
    CHECK(lines(m.err) == 1);
    CHECK_FALSE(has_bundle(dir / "merged"));
    fs::remove_all(dir);
}

TEST_CASE(
    "e2e merge: without the scenario file, a missing shard is still refused (cells named by "
    "index)") {
    auto dir = temp_dir("cov-merge2");
    auto a = run_cli({"run", "--shard", "1/2", "--out", (dir / "a").string()});
    REQUIRE(a.exit_code == 0);
    auto shard = only_bundle(dir / "a");
    set_run_field(shard, "scenario", "path", "/nonexistent/moved/default.json");
    reseal(shard);
    auto m = run_cli({"merge", shard.string(), "--out", (dir / "merged").string()});
    INFO(m.out << m.err);
    CHECK(m.exit_code == 3);
    CHECK(m.err.find("missing #1, #3, #5") != std::string::npos);
    CHECK_FALSE(has_bundle(dir / "merged"));
    fs::remove_all(dir);
}

TEST_CASE("e2e merge: a single complete unsharded bundle is still accepted") {
    auto dir = temp_dir("cov-merge3");
    auto m = run_cli({"merge", full_run().string(), "--out", (dir / "merged").string()});
    INFO(m.out << m.err);
    CHECK(m.exit_code == 0);
    CHECK(cell_ids(read_json(only_bundle(dir / "merged") / "summary.json")).size() == 6);
    fs::remove_all(dir);
}

TEST_CASE(
    "e2e run --rerun-failed: an interrupted bundle re-runs the unfinished and never-started "
    "cells") {
    auto dir = temp_dir("cov-rerun1");
    auto earlier = copy_of(full_run(), dir / "earlier");
    // As a crash leaves it: two cells never started (no folder), one started and did not finish,
    // the run is incomplete and no manifest was written.
    fs::remove_all(earlier / "subscription__kimi");
    fs::remove_all(earlier / "subscription__minimax");
    fs::remove(earlier / "subscription__deepseek" / "21-summary.json");
    fs::remove(earlier / crm::harness::evidence::k_manifest_name);
    set_run_field(earlier, nullptr, "status", "incomplete");
    auto r = run_cli({"run", "--rerun-failed", earlier.string(), "--out", (dir / "rerun").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    REQUIRE(has_bundle(dir / "rerun"));
    CHECK(cell_ids(read_json(only_bundle(dir / "rerun") / "summary.json")) ==
          std::set<std::string>{"subscription__deepseek", "subscription__kimi", "subscription__minimax"});
    fs::remove_all(dir);
}

TEST_CASE("e2e run --rerun-failed: a bundle of another scenario is refused in one line, before any run") {
    auto dir = temp_dir("cov-rerun2");
    auto r = run_cli({"run", std::string(CRM_SOURCE_DIR) + "/scenarios/release.json", "--rerun-failed",
                      full_run().string(), "--out", (dir / "rerun").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("another scenario") != std::string::npos);
    CHECK(lines(r.err) == 1);
    CHECK_FALSE(has_bundle(dir / "rerun"));
    fs::remove_all(dir);
}

TEST_CASE("e2e run --rerun-failed: a bundle whose manifest does not match is refused, before any run") {
    auto dir = temp_dir("cov-rerun3");
    auto earlier = copy_of(full_run(), dir / "earlier");
    auto target = earlier / "self_service__kimi" / "10-chat.json";
    REQUIRE(crm::util::write_atomic(target, crm::util::read_file(target).value() + " ").has_value());
    auto r = run_cli({"run", "--rerun-failed", earlier.string(), "--out", (dir / "rerun").string()});
    INFO(r.out << r.err);
    // The contract is exit 4 (as verify); run_setup reports PrepareFailure::untrustworthy for it,
    // and run_command's mapping decides the number — 3 until that mapping knows the new kind.
    CHECK(r.exit_code == 4);  // as verify: the earlier evidence was tampered with
    CHECK(r.err.find("MANIFEST.sha256 does not match") != std::string::npos);
    CHECK(lines(r.err) == 1);
    CHECK_FALSE(has_bundle(dir / "rerun"));
    fs::remove_all(dir);
}

TEST_CASE("e2e verify: an honestly interrupted bundle exits 3 with one line; tampering still exits 4") {
    auto dir = temp_dir("cov-verify1");
    auto bundle = copy_of(full_run(), dir / "b");
    set_run_field(bundle, nullptr, "status", "incomplete");
    reseal(bundle);
    auto v = run_cli({"verify", bundle.string()});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 3);
    CHECK(v.err.find("did not finish") != std::string::npos);
    CHECK(lines(v.err) == 1);
    CHECK(v.out.find("INCOMPLETE") != std::string::npos);
    // Crashed before the manifest was written: still incomplete, not tampered.
    auto crashed = copy_of(bundle, dir / "crashed");
    fs::remove(crashed / crm::harness::evidence::k_manifest_name);
    auto c = run_cli({"verify", crashed.string()});
    INFO(c.out << c.err);
    CHECK(c.exit_code == 3);
    // Tampered and incomplete: the tampering wins.
    auto target = bundle / "self_service__kimi" / "10-chat.json";
    REQUIRE(crm::util::write_atomic(target, crm::util::read_file(target).value() + " ").has_value());
    auto t = run_cli({"verify", bundle.string()});
    INFO(t.out << t.err);
    CHECK(t.exit_code == 4);
    fs::remove_all(dir);
}

TEST_CASE("e2e verify: a secret hit is reported as a byte offset, the way run's audit says it") {
    auto dir = temp_dir("cov-verify2");
    auto bundle = copy_of(full_run(), dir / "b");
    auto md = bundle / "summary.md";
    auto text = crm::util::read_file(md).value();
    auto offset = text.size();
    REQUIRE(crm::util::write_atomic(md, text + "sk-" + std::string(40, 'a') + "\n").has_value());
    reseal(bundle);
    auto v = run_cli({"verify", bundle.string()});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 4);
    CHECK(v.out.find(fmt::format("secret: sk_key at summary.md: byte {}", offset)) != std::string::npos);
    CHECK(v.out.find(fmt::format("summary.md:{}", offset)) == std::string::npos);
    fs::remove_all(dir);
}
