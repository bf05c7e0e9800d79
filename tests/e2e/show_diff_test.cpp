// `crm-accept show` and `crm-accept diff` on bundles real runs wrote into one evidence root: a
// healthy run, then the same matrix with a planted upstream outage, stamped at different instants
// (CRM_ACCEPT_NOW) so the folders never collide and sort in time order.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

// One cell of the default matrix, kimi self-service, run under the given clock instant.
Finished run_at(const std::string& scenario, const fs::path& root, const std::string& instant) {
    return run_cli({"run", scenario, "--out", root.string(), "--only", "self_service__kimi", "-q"},
                   {{"CRM_ACCEPT_NOW", instant}});
}

// The default scenario's kimi provider with the upstream answering 503 to everything.
std::string failing_default(const fs::path& dir, std::string_view name) {
    return write_scenario(dir, std::string(name) + ".json", fmt::format(R"({{
      "schema_version": 1, "name": "{}", "packs_dir": "{}",
      "host": {{"kind": "stub", "profile": "healthy"}},
      "matrix": {{"modes": ["self_service"],
                  "providers": [{{"pack": "cn-core", "provider": "kimi", "profile": "upstream_down"}}]}},
      "steps": {{"upstream_probes": true, "stream_smoke": true, "reconcile": true, "rollback": true}}}})",
                                                                        name, packs_dir()));
}

const std::string k_default = std::string(CRM_SOURCE_DIR) + "/scenarios/default.json";

}  // namespace

TEST_CASE("e2e diff: a healthy run against a run with a failing upstream names the regressed cell and its evidence") {
    auto dir = temp_dir("diff");
    auto root = dir / "evidence";
    REQUIRE(run_at(k_default, root, "2026-11-01T09:00:00Z").exit_code == 0);
    auto failing = run_at(failing_default(dir, "default"), root, "2026-11-02T09:00:00Z");
    REQUIRE(failing.exit_code != 0);
    const auto a = (root / "20261101_090000_default").string();
    const auto b = (root / "20261102_090000_default").string();
    REQUIRE(fs::is_directory(a));
    REQUIRE(fs::is_directory(b));

    auto d = run_cli({"diff", a, b});
    INFO(d.out << d.err);
    CHECK(d.exit_code == 1);
    CHECK(has(d.out, "regressed"));
    CHECK(has(d.out, "self_service__kimi"));
    CHECK(has(d.out, "ready (passed) -> "));
    CHECK(has(d.out, "10-chat.json chat HTTP status"));
    CHECK(has(d.out, "19-upstream-chat.json upstream chat HTTP status (/exchange/response/status): 200 -> 503"));
    CHECK(has(d.out, "REGRESSIONS"));

    // The same through stamp prefixes under --root, as JSON and as Markdown.
    auto j = run_cli({"diff", "20261101", "20261102", "--root", root.string(), "--json"});
    CHECK(j.exit_code == 1);
    auto doc = crm::util::parse_json(j.out, "diff --json");
    REQUIRE(doc.has_value());
    CHECK(doc->at("kind") == "crm-accept.diff");
    CHECK(doc->at("schema_version") == 1);
    CHECK(doc->at("counts").at("regressed") == 1);
    CHECK(doc->at("cells").at(0).at("cell") == "self_service__kimi");
    CHECK(doc->at("cells").at(0).at("change") == "regressed");
    auto md = run_cli({"diff", "20261101", "20261102", "--root", root.string(), "--md"});
    CHECK(md.exit_code == 1);
    CHECK(has(md.out, "| regressed | `self_service__kimi` |"));
    CHECK(has(md.out, "| `self_service__kimi` | `19-upstream-chat.json` | upstream chat HTTP status | 200 | 503 |"));

    // Back again is a recovery, and a bundle against itself changes nothing.
    CHECK(run_cli({"diff", b, a}).exit_code == 0);
    auto same = run_cli({"diff", a, a});
    CHECK(same.exit_code == 0);
    CHECK(has(same.out, "no cell changed"));
    auto all = run_cli({"diff", a, a, "--all"});
    CHECK(has(all.out, "unchanged"));

    // Another scenario is not comparable; a ref that names nothing is one line naming it and the root.
    REQUIRE(run_at(failing_default(dir, "other"), root, "2026-11-03T09:00:00Z").exit_code != 0);
    auto other = run_cli({"diff", a, "20261103", "--root", root.string()});
    CHECK(other.exit_code == 3);
    CHECK(has(other.err, "not comparable"));
    auto missing = run_cli({"diff", "2025", a, "--root", root.string()});
    CHECK(missing.exit_code == 3);
    CHECK(has(missing.err, "'2025'"));
    CHECK(has(missing.err, root.string()));
    CHECK(run_cli({"diff", a}).exit_code == 64);
    CHECK(run_cli({"diff", a, b, "--json", "--md"}).exit_code == 64);

    // An edited bundle can still be compared, but the output says it is untrusted.
    REQUIRE(crm::util::write_atomic(fs::path(b) / "self_service__kimi" / "10-chat.json", "garbage\n").has_value());
    auto tampered = run_cli({"diff", a, b});
    CHECK(tampered.exit_code == 1);
    CHECK(has(tampered.out, "UNTRUSTED"));
    CHECK(has(tampered.err, "B (20261102_090000_default) is UNTRUSTED"));
    CHECK(has(tampered.out, "10-chat.json not JSON (text): (absent) -> garbage"));
    fs::remove_all(dir);
}

TEST_CASE("e2e show: a run, a cell by prefix with its cause and evidence, and the failures") {
    auto dir = temp_dir("show");
    auto root = dir / "evidence";
    auto r = run_cli({"run", k_default, "--out", root.string(), "--only", "self_service__deepseek", "-q"},
                     {{"CRM_ACCEPT_NOW", "2026-11-01T09:00:00Z"}});
    REQUIRE(r.exit_code == 0);

    auto run = run_cli({"show", "20261101", "--root", root.string()});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(has(run.out, "scenario:  default"));
    CHECK(has(run.out, "gate:      PASSED"));
    CHECK(has(run.out, "self_service__deepseek"));
    CHECK(has(run.out, "host_compatibility_gap"));
    CHECK(has(run.out, "expectation_met"));

    auto cell = run_cli({"show", "20261101_090000", "self_service__d", "--root", root.string()});
    INFO(cell.out << cell.err);
    CHECK(cell.exit_code == 0);
    CHECK(has(cell.out, "cause:     host_compatibility_gap"));
    CHECK(has(cell.out, "reason:    expected host_compatibility_gap and observed it"));
    CHECK(has(cell.out, "10-chat.json"));
    CHECK(has(cell.out, "19-upstream-chat.json"));
    CHECK(has(cell.out, "chat HTTP status"));
    CHECK(has(cell.out, "502"));
    CHECK(has(cell.out, "10-chat"));  // a step line
    CHECK(has(cell.out, "network"));

    auto j = run_cli({"show", (root / "20261101_090000_default").string(), "self_service__deepseek", "--json"});
    CHECK(j.exit_code == 0);
    auto doc = crm::util::parse_json(j.out, "show --json");
    REQUIRE(doc.has_value());
    CHECK(doc->at("cause") == "host_compatibility_gap");
    CHECK(doc->at("evidence").as_array().size() > 3);

    auto unknown = run_cli({"show", "20261101", "self_service__deepsek", "--root", root.string()});
    CHECK(unknown.exit_code == 3);
    CHECK(has(unknown.err, "did you mean 'self_service__deepseek'"));
    auto nothing = run_cli({"show", "20261101", "zzz", "--root", root.string()});
    CHECK(nothing.exit_code == 3);
    CHECK(has(nothing.err, "cells: self_service__deepseek"));
    auto missing = run_cli({"show", "2025", "--root", root.string()});
    CHECK(missing.exit_code == 3);
    CHECK(has(missing.err, "'2025'"));
    CHECK(has(missing.err, root.string()));
    CHECK(run_cli({"show"}).exit_code == 64);
    fs::remove_all(dir);
}
