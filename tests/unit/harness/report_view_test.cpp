// report.html's data: the step waterfall layout, the host-vs-upstream comparison, the grid
// (expected failures, interrupted and not-run cells, a hosts axis) and the evidence age.
#include "harness/evidence/report_view.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "harness/evidence/differential.hpp"
#include "harness/evidence/report.hpp"
#include "harness/evidence/step_timeline.hpp"

using namespace crm::harness::evidence;
using crm::harness::classify::Cause;
using crm::harness::gate::CellOutcome;
namespace json = crm::util::json;

namespace {

CellSummary cell(std::string host, std::string mode, std::string provider, Cause cause, CellOutcome outcome) {
    CellSummary c;
    c.host = std::move(host);
    c.mode = std::move(mode);
    c.provider = std::move(provider);
    c.pack = "cn-core@1";
    c.cause = cause;
    c.verdict = crm::harness::classify::verdict_of(cause);
    c.gate_outcome = outcome;
    c.explanation = "because <b>";
    return c;
}

RunSummary run_of(std::vector<CellSummary> cells) {
    RunSummary s;
    s.scenario_name = "t";
    s.started_at = "2026-11-24T00:00:00+00:00";
    s.ended_at = "2026-11-24T00:01:00+00:00";
    s.cells = std::move(cells);
    s.gate = {true, "passed", "all cells pass the gate", {}};
    return s;
}

const json::object& grid_cell(const json::object& view, std::size_t host, std::size_t row, std::size_t col) {
    return view.at("hosts").as_array()[host].at("rows").as_array()[row].at("cells").as_array()[col].as_object();
}

}  // namespace

TEST_CASE("timeline: host steps follow one another, upstream probes start when step 08 ends", "[evidence][report]") {
    std::vector<StepRecord> steps = {{0, "cell", StepState::ran, "", 10, 0},
                                     {8, "mode_state", StepState::ran, "", 20, 15},
                                     {9, "models", StepState::ran, "", 30, 40},  // network clamped to 30
                                     {10, "chat", StepState::skipped, "", 0, 0},
                                     {17, "upstream_models", StepState::ran, "", 50, 45},
                                     {19, "upstream_chat", StepState::ran, "", 25, 20},
                                     {20, "rollback", StepState::ran, "", 5, 5}};
    auto t = layout_timeline(steps);
    REQUIRE(t.bars.size() == 7);
    CHECK(t.bars[0].start_ms == 0);
    CHECK(t.bars[1].start_ms == 10);
    CHECK(t.bars[2].start_ms == 30);
    CHECK(t.bars[2].network_ms == 30);
    CHECK(t.bars[3].elapsed_ms == 0);
    CHECK(t.bars[4].upstream_lane);
    CHECK(t.bars[4].start_ms == 30);  // the end of 08, alongside 09
    CHECK(t.bars[5].start_ms == 80);
    CHECK_FALSE(t.bars[6].upstream_lane);
    CHECK(t.bars[6].start_ms == 60);
    CHECK(t.total_ms == 105);  // the upstream lane ends last
    CHECK(layout_timeline({}).bars.empty());
}

TEST_CASE("differential: the host's and the upstream's answers side by side, differences marked",
          "[evidence][report]") {
    json::value host = json::object{
        {"exchange", json::object{{"response", json::object{{"status", 502}}},
                                  {"error_info", json::object{{"type", "upstream_error"}, {"code", ""}}}}}};
    json::value upstream = json::object{{"exchange", json::object{{"response", json::object{{"status", 200}}}}}};
    auto fields = crm::harness::inspect::fields_of("10-chat.json", host);
    for (auto& f : crm::harness::inspect::fields_of("19-upstream-chat.json", upstream)) fields.push_back(f);
    for (auto& f : crm::harness::inspect::fields_of("17-upstream-models.json", upstream)) fields.push_back(f);
    auto pairs = differential(fields, {"10-chat.json", "19-upstream-chat.json", "17-upstream-models.json"});
    REQUIRE(pairs.size() == 2);
    const auto& chat = pairs[0];
    CHECK(chat.title == "chat");
    REQUIRE(chat.rows.size() == 2);  // an empty code says nothing and is left out
    CHECK(chat.rows[0] == DifferentialRow{"chat HTTP status", "502", "200", true});
    CHECK(chat.rows[1] == DifferentialRow{"chat error type", "upstream_error", "", true});
    const auto& models = pairs[1];
    CHECK_FALSE(models.host_present);  // 09-models.json was not written
    REQUIRE(models.rows.size() == 1);
    CHECK(models.rows[0] == DifferentialRow{"models HTTP status", "", "200", true});
    CHECK(differential(fields, {}).empty());

    // A field only the host probe records is not a difference: it stays out of the comparison.
    json::value listed =
        json::object{{"lists_expected", true}, {"exchange", json::object{{"response", json::object{{"status", 200}}}}}};
    auto models_fields = crm::harness::inspect::fields_of("09-models.json", listed);
    for (auto& f : crm::harness::inspect::fields_of("17-upstream-models.json", upstream)) models_fields.push_back(f);
    auto only = differential(models_fields, {"09-models.json", "17-upstream-models.json"});
    REQUIRE(only.size() == 1);
    REQUIRE(only[0].rows.size() == 1);
    CHECK(only[0].rows[0] == DifferentialRow{"models HTTP status", "200", "200", false});
}

TEST_CASE("report view: an expected failure is marked expected, a real one is not", "[evidence][report]") {
    auto s = run_of({cell("", "self_service", "deepseek", Cause::host_compatibility_gap, CellOutcome::expectation_met),
                     cell("", "self_service", "kimi", Cause::host_compatibility_gap, CellOutcome::blocking_failure),
                     cell("", "self_service", "glm", Cause::model_not_exposed, CellOutcome::known_failure),
                     cell("", "self_service", "ok", Cause::ready, CellOutcome::passed)});
    s.cells[0].expected_cause = Cause::host_compatibility_gap;
    auto v = report_view(s, "complete", {});
    CHECK_FALSE(v.at("hosts_axis").as_bool());
    CHECK(grid_cell(v, 0, 0, 0).at("expected").as_string() == "expected");
    CHECK(grid_cell(v, 0, 0, 0).at("css").as_string() == "fail");
    CHECK(grid_cell(v, 0, 0, 1).at("is_expected").as_bool() == false);
    CHECK(grid_cell(v, 0, 0, 2).at("expected").as_string() == "known failure");
    CHECK(grid_cell(v, 0, 0, 3).at("is_expected").as_bool() == false);
    const auto& panel = v.at("panels").as_array()[0].as_object();
    CHECK(panel.at("id").as_string() == "cell-self_service__deepseek");
    CHECK(panel.at("expected_cause").as_string() == "host_compatibility_gap");
    CHECK(panel.at("artifacts").at("has").as_bool() == false);  // no bundle folder given

    auto html = render_report_html(s, "complete", builtin_templates());
    REQUIRE(html);
    CHECK(html->find("<td class=\"cell fail expected\" data-cell=\"cell-self_service__deepseek\">") !=
          std::string::npos);
    CHECK(html->find("<td class=\"cell fail\" data-cell=\"cell-self_service__kimi\">") != std::string::npos);
    CHECK(html->find("because &lt;b&gt;") != std::string::npos);
}

TEST_CASE("report view: an interrupted cell is grey and counted as interrupted, not as a harness error",
          "[evidence][report]") {
    auto stopped = cell("", "self_service", "deepseek", Cause::harness_error, CellOutcome::not_run);
    stopped.interrupted = true;
    auto never = cell("", "subscription", "deepseek", Cause::harness_error, CellOutcome::not_run);
    never.not_run = true;
    auto s = run_of({stopped, never});
    s.interrupted = true;
    s.gate = {false, "interrupted", "the run was interrupted", {}};
    auto v = report_view(s, "incomplete", {});
    CHECK(v.at("gate_css").as_string() == "not-run");
    CHECK(v.at("gate_word").as_string() == "INTERRUPTED");
    CHECK(grid_cell(v, 0, 0, 0).at("css").as_string() == "interrupted");
    CHECK(grid_cell(v, 0, 0, 0).at("cause").as_string() == "interrupted");
    CHECK(grid_cell(v, 0, 1, 0).at("css").as_string() == "not-run");
    CHECK(grid_cell(v, 0, 1, 0).at("cause").as_string() == "not run");
    const auto& counts = v.at("counts").as_array();
    REQUIRE(counts.size() == 2);
    CHECK(counts[0].at("verdict").as_string() == "not run");
    CHECK(counts[1].at("verdict").as_string() == "interrupted");
}

TEST_CASE("report view: a hosts axis gives one grid per host, in matrix order", "[evidence][report]") {
    auto s = run_of({cell("b", "self_service", "deepseek", Cause::ready, CellOutcome::passed),
                     cell("b", "subscription", "deepseek", Cause::ready, CellOutcome::passed),
                     cell("a", "self_service", "deepseek", Cause::upstream_key_quota_issue, CellOutcome::not_passing)});
    auto v = report_view(s, "complete", {});
    CHECK(v.at("hosts_axis").as_bool());
    const auto& hosts = v.at("hosts").as_array();
    REQUIRE(hosts.size() == 2);
    CHECK(hosts[0].at("name").as_string() == "b");
    CHECK(hosts[0].at("rows").as_array().size() == 2);
    CHECK(hosts[1].at("name").as_string() == "a");
    CHECK(grid_cell(v, 1, 0, 0).at("id").as_string() == "cell-a__self_service__deepseek");
    CHECK(grid_cell(v, 1, 0, 0).at("title").as_string() == "a \u00d7 self_service \u00d7 deepseek");
    auto html = render_report_html(s, "complete", builtin_templates());
    REQUIRE(html);
    CHECK(html->find("<h3>host b</h3>") < html->find("<h3>host a</h3>"));
    auto md = render_summary_md(s, "complete", builtin_templates());
    REQUIRE(md);
    CHECK(md->find("| a \u00d7 self_service \u00d7 deepseek |") != std::string::npos);
}

TEST_CASE("report view: the evidence age is stated from the end of the run at the time of writing",
          "[evidence][report]") {
    auto s = run_of({cell("", "self_service", "kimi", Cause::ready, CellOutcome::passed)});
    auto ended = parse_iso8601(s.ended_at);
    REQUIRE(ended);
    CHECK(report_view(s, "complete", {{}, *ended}).at("evidence_age").as_string() == "0 s");
    CHECK(report_view(s, "complete", {{}, *ended + std::chrono::hours(50)}).at("evidence_age").as_string() ==
          "2 d 2 h");
    CHECK_FALSE(report_view(s, "complete", {}).at("has_age").as_bool());
    CHECK(format_age(std::chrono::seconds(42)) == "42 s");
    CHECK(format_age(std::chrono::seconds(3600 * 3 + 60 * 12)) == "3 h 12 min");
    CHECK(format_age(std::chrono::seconds(-5)) == "0 s");
}
