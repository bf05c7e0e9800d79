#include <catch2/catch.hpp>
#include <iterator>
#include <string_view>

#include "harness/classify/cause.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/gate/gate.hpp"
#include "util/json.hpp"

using namespace crm::harness;
using crm::harness::ExitCode;

namespace {

// Test rows name causes and verdicts as the tables do; the gate itself takes enums.
gate::CellResult cell(std::string id, std::string_view cause, std::string_view verdict,
                      std::optional<std::string_view> expected = std::nullopt) {
    gate::CellResult r{std::move(id), *classify::parse_cause(cause), *classify::parse_verdict(verdict), std::nullopt};
    if (expected) r.expected_cause = *classify::parse_cause(*expected);
    return r;
}

}  // namespace

TEST_CASE("gate: all ready cells pass with exit 0") {
    auto d = gate::decide({cell("a", "ready", "pass"), cell("b", "shared_host_residue", "pass")}, {}, {}, "2026-01-01");
    CHECK(d.passed);
    CHECK(d.exit_code == ExitCode::gate_passed);
}

TEST_CASE("gate: a planted fault that is observed passes; a missed one exits 1") {
    auto ok =
        gate::decide({cell("a", "host_compatibility_gap", "fail", "host_compatibility_gap")}, {}, {}, "2026-01-01");
    CHECK(ok.passed);
    CHECK(ok.cells[0].outcome == gate::CellOutcome::expectation_met);
    auto missed = gate::decide({cell("a", "ready", "pass", "host_compatibility_gap")}, {}, {}, "2026-01-01");
    CHECK_FALSE(missed.passed);
    CHECK(missed.exit_code == ExitCode::product_failure);
    CHECK(missed.cells[0].reason == "expected host_compatibility_gap but observed ready");
}

TEST_CASE("gate: only environment-blocked cells exit 2") {
    auto d = gate::decide({cell("a", "ready", "pass"), cell("b", "upstream_key_quota_issue", "blocked"),
                           cell("c", "transient_rate_limit", "inconclusive")},
                          {}, {}, "2026-01-01");
    CHECK(d.exit_code == ExitCode::environment_blocked);
    CHECK(d.cells[1].outcome == gate::CellOutcome::not_passing);
}

TEST_CASE("gate: a blocking failure outranks blocked cells; harness errors outrank both") {
    auto d = gate::decide({cell("a", "upstream_key_quota_issue", "blocked"), cell("b", "model_not_exposed", "fail")},
                          {}, {}, "2026-01-01");
    CHECK(d.exit_code == ExitCode::product_failure);
    auto e = gate::decide({cell("a", "model_not_exposed", "fail"), cell("b", "harness_error", "error")}, {}, {},
                          "2026-01-01");
    CHECK(e.exit_code == ExitCode::harness_error);
}

TEST_CASE("gate: a blocking-causes override makes a blocked cause block the release") {
    gate::GatePolicyInput p;
    p.blocking_causes = std::vector<classify::Cause>{classify::Cause::upstream_key_quota_issue};
    auto d = gate::decide({cell("a", "upstream_key_quota_issue", "blocked")}, p, {}, "2026-01-01");
    CHECK(d.exit_code == ExitCode::product_failure);
    auto e = gate::decide({cell("a", "model_not_exposed", "fail")}, p, {}, "2026-01-01");
    CHECK(e.exit_code == ExitCode::environment_blocked);
}

TEST_CASE("baseline: a listed failure is excused, and a listed cell that now passes is stale") {
    auto b = gate::parse_baseline(R"({"schema_version": 1, "entries": [
        {"cell": "a", "cause": "host_compatibility_gap", "reason": "known"},
        {"cell": "b"}]})",
                                  "baseline.json");
    REQUIRE(b.has_value());
    gate::GatePolicyInput p;
    p.baseline = &*b;
    auto d =
        gate::decide({cell("a", "host_compatibility_gap", "fail"), cell("b", "ready", "pass")}, p, {}, "2026-01-01");
    CHECK(d.cells[0].outcome == gate::CellOutcome::known_failure);
    CHECK(d.cells[0].passed);
    CHECK(d.cells[1].outcome == gate::CellOutcome::stale_baseline);
    CHECK(d.exit_code == ExitCode::product_failure);
}

TEST_CASE("baseline: an entry with another cause does not excuse the observed failure") {
    auto b = gate::parse_baseline(R"({"entries": [{"cell": "a", "cause": "model_not_exposed"}]})", "b.json");
    REQUIRE(b.has_value());
    gate::GatePolicyInput p;
    p.baseline = &*b;
    auto d = gate::decide({cell("a", "host_compatibility_gap", "fail")}, p, {}, "2026-01-01");
    CHECK(d.cells[0].outcome == gate::CellOutcome::blocking_failure);
    CHECK(d.exit_code == ExitCode::product_failure);
}

TEST_CASE("baseline: expired entries no longer excuse and are noted; unmatched entries are noted") {
    auto b = gate::parse_baseline(R"({"entries": [{"cell": "a", "expires": "2025-12-31"}, {"cell": "zz"}]})", "b.json");
    REQUIRE(b.has_value());
    gate::GatePolicyInput p;
    p.baseline = &*b;
    auto d = gate::decide({cell("a", "host_compatibility_gap", "fail")}, p, {}, "2026-01-01");
    CHECK(d.exit_code == ExitCode::product_failure);
    REQUIRE(d.notes.size() == 2);
    CHECK(d.notes[0] == "baseline entry for a expired on 2025-12-31");
    CHECK(d.notes[1] == "baseline entry for zz matched no cell of this run");
}

TEST_CASE("baseline: malformed files fail with file:line: field: reason") {
    auto r = gate::parse_baseline("{\"entries\": [\n {\"cell\": \"a\",\n  \"cause\": \"nope\"}]}", "b.json");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "b.json:3: entries[0].cause: unknown cause \"nope\"");
    auto d = gate::parse_baseline("{\"entries\": [{\"cell\": \"a\"}, {\"cell\": \"a\"}]}", "b.json");
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().message == "b.json:1: entries[1].cell: duplicate entry for this cell");
}

TEST_CASE("gate: evidence older than max_evidence_age never passes") {
    gate::GatePolicyInput p;
    p.max_evidence_age = std::chrono::seconds(3600);
    auto fresh = gate::decide({cell("a", "ready", "pass")}, p, std::chrono::seconds(10), "2026-01-01");
    CHECK(fresh.passed);
    auto old = gate::decide({cell("a", "ready", "pass")}, p, std::chrono::seconds(7200), "2026-01-01");
    CHECK_FALSE(old.passed);
    CHECK(old.evidence_stale);
    CHECK(old.exit_code == ExitCode::environment_blocked);
}

TEST_CASE("gate: every cause gets the gate treatment of its spec verdict and blocks-release default") {
    // The cause table of docs/CAUSES.md, pinned here so the classify functions the gate uses cannot drift from it.
    struct Row {
        classify::Cause cause;
        const char* verdict;
        bool blocks;
    };
    const Row spec[] = {
        {classify::Cause::ready, "pass", false},
        {classify::Cause::host_compatibility_gap, "fail", true},
        {classify::Cause::models_only_false_ready, "fail", true},
        {classify::Cause::model_not_exposed, "fail", true},
        {classify::Cause::gateway_auth_mismatch, "fail", true},
        {classify::Cause::engine_defect, "fail", true},
        {classify::Cause::reconcile_drift, "fail", true},
        {classify::Cause::rollback_incomplete, "fail", true},
        {classify::Cause::upstream_key_quota_issue, "blocked", false},
        {classify::Cause::upstream_auth_invalid, "blocked", false},
        {classify::Cause::upstream_unavailable, "blocked", false},
        {classify::Cause::access_precondition_missing, "blocked", false},
        {classify::Cause::transient_rate_limit, "inconclusive", false},
        {classify::Cause::shared_host_residue, "pass", false},
        {classify::Cause::host_unreachable, "error", true},
        {classify::Cause::host_admin_rejected, "error", true},
        {classify::Cause::harness_error, "error", true},
    };
    REQUIRE(std::size(spec) == classify::k_all_causes.size());
    for (const Row& row : spec) {
        const std::string name(classify::to_string(row.cause));
        INFO(name);
        CHECK(classify::to_string(classify::verdict_of(row.cause)) == row.verdict);
        CHECK(classify::blocks_release_by_default(row.cause) == row.blocks);
        auto d = gate::decide_cell(cell("a", name, row.verdict), {}, "2026-01-01");
        if (std::string_view(row.verdict) == "pass") {
            CHECK(d.outcome == gate::CellOutcome::passed);
            CHECK(d.passed);
        } else if (row.cause == classify::Cause::harness_error) {
            CHECK(d.outcome == gate::CellOutcome::harness_error);
        } else if (std::string_view(row.verdict) == "error") {
            CHECK(d.outcome == gate::CellOutcome::environment_error);
            CHECK(gate::decide({cell("a", name, row.verdict)}, {}, {}, "2026-01-01").exit_code ==
                  ExitCode::environment_blocked);
        } else if (row.blocks) {
            CHECK(d.outcome == gate::CellOutcome::blocking_failure);
        } else {
            CHECK(d.outcome == gate::CellOutcome::not_passing);
        }
        // Every cause name is accepted by a baseline file.
        auto b = gate::parse_baseline(R"({"entries": [{"cell": "a", "cause": ")" + name + R"("}]})", "b.json");
        CHECK(b.has_value());
    }
}

TEST_CASE("gate: an unknown cause is never waved through: it cannot reach the gate, reading it is an error") {
    // The gate takes enums; the only way text becomes a cause is a reader, and readers refuse.
    auto summary = crm::util::json::parse(
        R"({"mode":"subscription","provider":"kimi","pack":"p@1","cause":"no_such_cause","verdict":"blocked",)"
        R"("gate_outcome":"passed","explanation":"","rule_id":"","elapsed_ms":0,"artifacts":[],"steps":[]})");
    auto c = evidence::cell_from_json(summary, "21-summary.json");
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().message.find("unknown cause 'no_such_cause'") != std::string::npos);
    auto outcome = crm::util::json::parse(
        R"({"mode":"subscription","provider":"kimi","pack":"p@1","cause":"ready","verdict":"pass",)"
        R"("gate_outcome":"pass","explanation":"","rule_id":"","elapsed_ms":0,"artifacts":[],"steps":[]})");
    auto o = evidence::cell_from_json(outcome, "21-summary.json");
    REQUIRE_FALSE(o.has_value());
    CHECK(o.error().message.find("unknown gate outcome 'pass'") != std::string::npos);
}

TEST_CASE("gate: a cell without a decision never passes, and the run combines the cells' own decisions") {
    gate::CellDecision undecided;
    CHECK_FALSE(undecided.passed);
    CHECK(undecided.outcome == gate::CellOutcome::not_run);
    auto ready = gate::decide_cell(cell("a", "ready", "pass"), {}, "2026-01-01");
    auto run = gate::decide_run({ready, gate::not_run("b", "interrupted before its summary")}, {}, {}, "2026-01-01");
    CHECK_FALSE(run.passed);
    CHECK(run.exit_code == ExitCode::harness_error);
    CHECK(run.cells[1].reason == "interrupted before its summary");
    // decide_run never re-reads causes: a decision says what it says.
    auto only_ready = gate::decide_run({ready}, {}, {}, "2026-01-01");
    CHECK(only_ready.passed);
}

TEST_CASE("gate: outcome names round-trip, and only pass outcomes pass") {
    for (auto o :
         {gate::CellOutcome::passed, gate::CellOutcome::expectation_met, gate::CellOutcome::known_failure,
          gate::CellOutcome::expectation_mismatch, gate::CellOutcome::stale_baseline,
          gate::CellOutcome::blocking_failure, gate::CellOutcome::not_passing, gate::CellOutcome::environment_error,
          gate::CellOutcome::harness_error, gate::CellOutcome::not_run}) {
        CHECK(gate::parse_outcome(gate::to_string(o)) == o);
    }
    CHECK_FALSE(gate::parse_outcome("pass").has_value());
    CHECK(gate::outcome_passes(gate::CellOutcome::known_failure));
    CHECK_FALSE(gate::outcome_passes(gate::CellOutcome::not_run));
}
