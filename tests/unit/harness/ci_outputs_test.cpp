#include "harness/ci/ci_outputs.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>

#include "harness/ci/auto_shard.hpp"
#include "harness/ci/workflow_commands.hpp"
#include "harness/evidence/report.hpp"

using namespace crm::harness;
using crm::harness::classify::Cause;
using crm::harness::gate::CellOutcome;

namespace {

crm::util::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string shard_of(std::string_view spec, std::map<std::string, std::string> vars) {
    auto r = ci::resolve_auto_shard(spec, env_of(std::move(vars)));
    return r ? r->text() : "error: " + r.error().message;
}

evidence::CellSummary cell(std::string mode, std::string provider, Cause cause, CellOutcome outcome) {
    evidence::CellSummary c;
    c.mode = std::move(mode);
    c.provider = std::move(provider);
    c.cause = cause;
    c.verdict = classify::verdict_of(cause);
    c.gate_outcome = outcome;
    c.explanation = "line one\nline two: 100% of calls, refused";
    return c;
}

evidence::RunSummary run_with(std::vector<evidence::CellSummary> cells, bool passed) {
    evidence::RunSummary s;
    s.scenario_name = "default";
    s.cells = std::move(cells);
    s.gate = {passed, passed ? "passed" : "failed", passed ? "all cells ready" : "1 blocking product failure", {}};
    s.exit_code = passed ? 0 : 1;
    return s;
}

}  // namespace

TEST_CASE("shard auto: GitLab's CI_NODE_INDEX/CI_NODE_TOTAL count from 1", "[ci]") {
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "3"}}) == "1/3");
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "3"}}) == "3/3");
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "4"}, {"CI_NODE_TOTAL", "3"}}).starts_with("error: "));
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "3"}}) ==
          "error: --shard auto: CI_NODE_INDEX=0 is outside 1..3 for 3 shards");
}

TEST_CASE("shard auto: a Kubernetes JOB_COMPLETION_INDEX counts from 0, its total from auto/N or CRM_SHARD_TOTAL",
          "[ci]") {
    CHECK(shard_of("auto/3", {{"JOB_COMPLETION_INDEX", "0"}}) == "1/3");
    CHECK(shard_of("auto/3", {{"JOB_COMPLETION_INDEX", "2"}}) == "3/3");
    CHECK(shard_of("auto", {{"JOB_COMPLETION_INDEX", "1"}, {"CRM_SHARD_TOTAL", "4"}}) == "2/4");
    CHECK(shard_of("auto/3", {{"JOB_COMPLETION_INDEX", "3"}}) ==
          "error: --shard auto: JOB_COMPLETION_INDEX=3 is outside 0..2 for 3 shards");
    CHECK(shard_of("auto", {{"JOB_COMPLETION_INDEX", "1"}}) ==
          "error: --shard auto: JOB_COMPLETION_INDEX is set but the total is not: set CRM_SHARD_TOTAL or use "
          "--shard auto/N");
}

TEST_CASE("shard auto: CRM_SHARD_INDEX/CRM_SHARD_TOTAL win over the CI's own variables", "[ci]") {
    CHECK(shard_of(
              "auto",
              {{"CRM_SHARD_INDEX", "2"}, {"CRM_SHARD_TOTAL", "2"}, {"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "5"}}) ==
          "2/2");
    auto r = ci::resolve_auto_shard("auto", env_of({{"CRM_SHARD_INDEX", "2"}, {"CRM_SHARD_TOTAL", "2"}}));
    REQUIRE(r);
    CHECK(r->source == "CRM_SHARD_INDEX=2, total 2");
}

TEST_CASE("shard auto: nothing set, malformed values and a disagreeing N are one clear error", "[ci]") {
    CHECK(shard_of("auto", {})
              .starts_with("error: --shard auto: no shard index in the environment (set "
                           "CRM_SHARD_INDEX/CRM_SHARD_TOTAL, GitLab's CI_NODE_INDEX"));
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "two"}, {"CI_NODE_TOTAL", "3"}}) ==
          "error: --shard auto: CI_NODE_INDEX=two is not a number");
    CHECK(shard_of("auto", {{"CI_NODE_INDEX", "-1"}, {"CI_NODE_TOTAL", "3"}}) ==
          "error: --shard auto: CI_NODE_INDEX=-1 is not a number");
    CHECK(shard_of("auto/2", {{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "3"}}) ==
          "error: --shard auto/2: CI_NODE_TOTAL=3 disagrees with N=2");
    CHECK(shard_of("auto/0", {{"JOB_COMPLETION_INDEX", "0"}}) ==
          "error: --shard auto/0: N must be a number from 1 to 1000");
    CHECK(ci::is_auto_shard("auto"));
    CHECK(ci::is_auto_shard("auto/4"));
    CHECK_FALSE(ci::is_auto_shard("1/4"));
    CHECK_FALSE(ci::is_auto_shard("automatic"));
}

TEST_CASE("workflow commands: messages escape %, CR and LF and properties also ':' and ','", "[ci]") {
    CHECK(ci::escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d");
    CHECK(ci::escape_property("a: b, 5%\n") == "a%3A b%2C 5%25%0A");
}

TEST_CASE("workflow commands: an error per blocking cell, a warning per non-blocking one, one for the gate", "[ci]") {
    auto s = run_with({cell("self_service", "deepseek", Cause::ready, CellOutcome::passed),
                       cell("subscription", "deepseek", Cause::host_compatibility_gap, CellOutcome::blocking_failure),
                       cell("self_service", "kimi", Cause::upstream_key_quota_issue, CellOutcome::not_passing)},
                      false);
    auto lines = ci::annotations(s);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "::error title=crm-accept subscription__deepseek%3A blocking_failure::host_compatibility_gap: line "
          "one%0Aline two: 100%25 of calls, refused\n");
    CHECK(lines[1].starts_with(
        "::warning title=crm-accept self_service__kimi%3A not_passing::upstream_key_quota_issue: "));
    CHECK(lines[2] == "::error title=crm-accept gate%3A failed::1 blocking product failure (exit 1)\n");
    CHECK(
        ci::annotations(run_with({cell("self_service", "deepseek", Cause::ready, CellOutcome::passed)}, true)).empty());
}

TEST_CASE("step summary: names the artifact instead of linking into the bundle, explains failing cells", "[ci]") {
    auto s = run_with({cell("self_service", "deepseek", Cause::ready, CellOutcome::passed),
                       cell("subscription", "deepseek", Cause::host_compatibility_gap, CellOutcome::blocking_failure)},
                      false);
    auto md = evidence::render_step_summary_md(
        s, "complete", {"20261203T0000Z-default", "acceptance-merged", "https://github.com/o/r/actions/runs/7"},
        evidence::builtin_templates());
    REQUIRE(md);
    CHECK(md->starts_with("## crm-accept: default: gate failed (exit 1)\n"));
    CHECK(md->find("| subscription__deepseek | `host_compatibility_gap` | fail | blocking_failure |  |") !=
          std::string::npos);
    CHECK(md->find("- **subscription__deepseek**: `host_compatibility_gap` (blocking_failure). line one line two") !=
          std::string::npos);
    CHECK(md->find("- **self_service__deepseek**") == std::string::npos);
    CHECK(md->find("21-summary.md") == std::string::npos);
    CHECK(md->find(
              "in the artifact **acceptance-merged** of [this workflow run](https://github.com/o/r/actions/runs/7)") !=
          std::string::npos);
    auto passing = evidence::render_step_summary_md(
        run_with({cell("self_service", "deepseek", Cause::ready, CellOutcome::passed)}, true), "complete",
        {"b", "b", ""}, evidence::builtin_templates());
    REQUIRE(passing);
    CHECK(passing->find("Cells that did not pass") == std::string::npos);
    CHECK(passing->find("in the artifact **b**; check it") != std::string::npos);
}

TEST_CASE("ci request: read from the GitHub environment and dotenv lines for GitLab", "[ci]") {
    auto r = ci::ci_request(env_of({{"GITHUB_STEP_SUMMARY", "/tmp/s.md"},
                                    {"GITHUB_ACTIONS", "true"},
                                    {"GITHUB_SERVER_URL", "https://github.com"},
                                    {"GITHUB_REPOSITORY", "o/r"},
                                    {"GITHUB_RUN_ID", "7"}}),
                            "");
    CHECK(r.step_summary == "/tmp/s.md");
    CHECK(r.github_actions);
    CHECK(r.run_url == "https://github.com/o/r/actions/runs/7");
    CHECK_FALSE(ci::ci_request(env_of({{"GITHUB_ACTIONS", "false"}}), "").any());
    auto s = run_with({cell("self_service", "deepseek", Cause::ready, CellOutcome::passed)}, true);
    CHECK(
        ci::dotenv_text(s, "out/20261203T0000Z-default") ==
        "CRM_GATE=passed\nCRM_EXIT=0\nCRM_BUNDLE=out/20261203T0000Z-default\nCRM_BUNDLE_NAME=20261203T0000Z-default\n");
}
