// board, prune and status over an evidence history written by real runs stamped days apart
// (evidence_history.hpp), read back through the built binary as of a fixed CRM_ACCEPT_NOW.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/cli_process.hpp"
#include "tests/e2e/evidence_history.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;
namespace json = crm::util::json;

namespace {

const std::string k_now = "2026-11-10T09:00:00Z";

json::value parse_out(const Finished& r) {
    auto v = crm::util::parse_json(r.out, "stdout");
    REQUIRE(v.has_value());
    return *v;
}

const json::object* row_of(const json::value& board, std::string_view mode, std::string_view provider) {
    for (const auto& r : board.at("rows").as_array()) {
        if (r.at("mode").as_string() == mode && r.at("provider").as_string() == provider) return &r.as_object();
    }
    return nullptr;
}

}  // namespace

TEST_CASE("e2e board: the newest trustworthy proof wins, old proof is stale, a tampered bundle never counts") {
    auto dir = temp_dir("board");
    auto root = dir / "evidence";
    const auto oldest = record_run(root, "2026-11-06T09:00:00Z");
    const auto proof = record_run(root, "2026-11-08T09:00:00Z");
    const auto tampered = record_run(root, "2026-11-10T08:00:00Z");
    tamper_artifact(tampered);

    auto r = run_cli({"board", "--root", root.string(), "--json", "--out", (dir / "out").string()},
                     {{"CRM_ACCEPT_NOW", k_now}});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto board = parse_out(r);
    CHECK(board.at("kind").as_string() == "crm-accept.board");
    CHECK(board.at("schema_version").as_int64() == 1);
    const auto* row = row_of(board, "self_service", "kimi");
    REQUIRE(row);
    CHECK(row->at("bundle").as_string() == proof.filename().string());
    CHECK(row->at("cause").as_string() == "ready");
    CHECK(row->at("age_seconds").as_int64() >= 47 * 3600);       // two days, to the second the run started at
    CHECK(row->at("max_age_source").as_string() == "scenario");  // default.json: 24h
    CHECK(row->at("stale").as_bool());
    CHECK(row->at("superseded_by_failure").as_bool());
    const auto& untrusted = board.at("untrusted_bundles").as_array();
    REQUIRE(untrusted.size() == 1);
    CHECK(untrusted[0].at("name").as_string() == tampered.filename().string());
    CHECK(untrusted[0].at("trust").as_string() == "untrusted");
    for (const char* f : {"board.md", "board.json", "board.html"}) CHECK(fs::is_regular_file(dir / "out" / f));
    auto md = crm::util::read_file(dir / "out" / "board.md").value_or("");
    CHECK(md.find(proof.filename().string()) != std::string::npos);

    // Under a week's max age the same proof is fresh; --fail-on-stale turns staleness into exit 2.
    auto week = run_cli({"board", "--root", root.string(), "--json", "--max-age", "7d"}, {{"CRM_ACCEPT_NOW", k_now}});
    REQUIRE(week.exit_code == 0);
    CHECK_FALSE(row_of(parse_out(week), "self_service", "kimi")->at("stale").as_bool());
    auto guard = run_cli({"board", "--root", root.string(), "--fail-on-stale"}, {{"CRM_ACCEPT_NOW", k_now}});
    CHECK(guard.exit_code == 2);
    CHECK(guard.out.find("untrusted bundles (1):") != std::string::npos);
    CHECK(guard.out.find("\x1b[") == std::string::npos);  // not a TTY: no colours
    (void)oldest;

    CHECK(run_cli({"board", "--root", (dir / "nowhere").string()}).exit_code == 3);
    CHECK(run_cli({"board", "--root", root.string(), "--max-age", "soon"}).exit_code == 64);
    fs::remove_all(dir);
}

TEST_CASE("e2e board: the release scenario, a fault-profile run in between: newest proof, last ready, flapping") {
    auto dir = temp_dir("board-flap");
    auto root = dir / "evidence";
    const std::string release = std::string(CRM_SOURCE_DIR) + "/scenarios/release.json";
    // The same matrix cell under the same scenario name, its upstream answering 503 to everything.
    const auto failing = write_scenario(dir, "release-upstream-down.json",
                                        fmt::format(R"({{
      "schema_version": 1, "name": "release", "packs_dir": "{}",
      "host": {{"kind": "stub", "profile": "healthy"}},
      "matrix": {{"modes": ["self_service"],
                  "providers": [{{"pack": "cn-core", "provider": "kimi", "profile": "upstream_down"}}]}}}})",
                                                    packs_dir()));
    const auto first_ready = record_run(root, "2026-11-09T06:00:00Z", "self_service__kimi", release);
    const auto down = record_run(root, "2026-11-09T07:00:00Z", "self_service__kimi", failing, 2);

    auto mid = run_cli({"board", "--root", root.string(), "--json"}, {{"CRM_ACCEPT_NOW", k_now}});
    INFO(mid.out << mid.err);
    REQUIRE(mid.exit_code == 0);
    auto board = parse_out(mid);
    const auto* row = row_of(board, "self_service", "kimi");
    REQUIRE(row);
    CHECK(row->at("host_key").as_string() == "stub:release/host");
    CHECK(row->at("bundle").as_string() == down.filename().string());  // a trusted failure is proof too
    CHECK(row->at("cause").as_string() != "ready");
    CHECK(row->at("last_ready_bundle").as_string() == first_ready.filename().string());
    CHECK_FALSE(row->at("flapping").as_bool());

    const auto again = record_run(root, "2026-11-09T08:00:00Z", "self_service__kimi", release);
    auto after = run_cli({"board", "--root", root.string(), "--json"}, {{"CRM_ACCEPT_NOW", k_now}});
    REQUIRE(after.exit_code == 0);
    board = parse_out(after);
    row = row_of(board, "self_service", "kimi");
    REQUIRE(row);
    CHECK(row->at("bundle").as_string() == again.filename().string());
    CHECK(row->at("cause").as_string() == "ready");
    CHECK(row->at("flapping").as_bool());  // ready -> blocked -> ready
    fs::remove_all(dir);
}

TEST_CASE("e2e prune: the dry run lists, --apply deletes exactly that list and never a protected bundle") {
    auto dir = temp_dir("prune");
    auto root = dir / "evidence";
    const auto named = record_run(root, "2026-10-31T09:00:00Z");
    const auto plain = record_run(root, "2026-11-05T09:00:00Z");
    const auto proof = record_run(root, "2026-11-10T08:00:00Z");
    auto baseline = write_scenario(dir, "baseline.json",
                                   R"({"schema_version": 1, "entries": [{"cell": "self_service__kimi",
                                       "reason": "kept for the ledger", "bundle": "evidence/)" +
                                       named.filename().string() + R"(/"}]})");
    const std::vector<std::string> args{"prune", "--root",     root.string(), "--max-age",
                                        "1d",    "--baseline", baseline,      "--json"};
    auto dry = run_cli(args, {{"CRM_ACCEPT_NOW", k_now}});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    std::map<std::string, std::string> action;
    const auto plan = parse_out(dry);
    for (const auto& b : plan.at("bundles").as_array())
        action[std::string(b.at("name").as_string())] = std::string(b.at("action").as_string());
    CHECK(action[named.filename().string()] == "protected");
    CHECK(action[plain.filename().string()] == "remove");
    CHECK(action[proof.filename().string()] == "keep");  // one hour old: no rule selects it
    CHECK(fs::exists(plain));                            // a dry run deletes nothing

    auto text = run_cli({"prune", "--root", root.string(), "--max-age", "1d", "--baseline", baseline},
                        {{"CRM_ACCEPT_NOW", k_now}});
    CHECK(text.out.find("would remove " + plain.filename().string()) != std::string::npos);
    CHECK(text.out.find("kept: protected (named by baseline") != std::string::npos);

    auto applied = args;
    applied.push_back("--apply");
    auto done = run_cli(applied, {{"CRM_ACCEPT_NOW", k_now}});
    INFO(done.out << done.err);
    REQUIRE(done.exit_code == 0);
    CHECK_FALSE(fs::exists(plain));
    CHECK(fs::exists(named));
    CHECK(fs::exists(proof));

    // Everything older than a minute: the newest proof of the board's only row stays.
    auto all = run_cli({"prune", "--root", root.string(), "--max-age", "1m", "--apply"}, {{"CRM_ACCEPT_NOW", k_now}});
    INFO(all.out << all.err);
    CHECK(all.exit_code == 0);
    CHECK_FALSE(fs::exists(named));
    CHECK(fs::exists(proof));
    CHECK(all.out.find("kept: protected (newest trusted proof of") != std::string::npos);

    CHECK(run_cli({"prune", "--root", root.string()}).exit_code == 64);  // no rule
    CHECK(run_cli({"prune", "--root", root.string(), "--max-size", "lots"}).exit_code == 64);

    // status: one trusted bundle left; over a tiny budget --enforce exits 5, under 2G it is 0.
    auto status = run_cli({"status", "--root", root.string(), "--json"}, {{"CRM_ACCEPT_NOW", k_now}});
    REQUIRE(status.exit_code == 0);
    auto s = parse_out(status);
    CHECK(s.at("bundles").at("trusted").as_int64() == 1);
    CHECK(s.at("stalest").at("bundle").as_string() == proof.filename().string());
    CHECK(run_cli({"status", "--root", root.string(), "--budget", "1K", "--enforce"}).exit_code == 5);
    CHECK(run_cli({"status", "--root", root.string(), "--budget", "1K"}).exit_code == 0);
    CHECK(run_cli({"status", "--root", root.string(), "--enforce"}).exit_code == 0);
    fs::remove_all(dir);
}
