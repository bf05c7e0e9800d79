#include <catch2/catch.hpp>
#include <string>

#include "harness/evidence/builtin_templates.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/junit.hpp"
#include "harness/evidence/manifest.hpp"
#include "harness/evidence/report.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/evidence/timestamp.hpp"
#include "util/files.hpp"

using namespace crm::harness::evidence;
using crm::harness::classify::Cause;
using crm::harness::classify::Verdict;
using crm::harness::gate::CellOutcome;

namespace {

CellSummary make_cell(std::string mode, std::string provider, Cause cause, std::string explanation = "why") {
    CellSummary c;
    c.mode = std::move(mode);
    c.provider = std::move(provider);
    c.pack = "cn@1";
    c.cause = cause;
    c.verdict = crm::harness::classify::verdict_of(cause);
    c.explanation = std::move(explanation);
    c.rule_id = "r";
    c.elapsed_ms = 1234;
    c.gate_outcome = c.verdict == Verdict::pass ? CellOutcome::passed : CellOutcome::blocking_failure;
    c.artifacts = {"10-chat.json"};
    c.steps = {{9, "models", StepState::ran, "", 12, 10},
               {8, "subscription-group-state", StepState::skipped, "", 0, 0}};
    return c;
}

RunSummary make_run() {
    RunSummary s;
    s.scenario_name = "default";
    s.scenario_path = "scenarios/default.json";
    s.scenario_sha256 = std::string(64, 'a');
    s.host_url = "http://127.0.0.1:1";
    s.started_at = "2026-11-24T00:00:00+00:00";
    s.ended_at = "2026-11-24T00:01:00+00:00";
    s.timezone = "UTC";
    s.tool_version = "0.1.0";
    s.git_sha = "abc";
    s.cells = {make_cell("self_service", "deepseek", Cause::ready),
               make_cell("subscription", "deepseek", Cause::host_compatibility_gap,
                         "502 <upstream_error> & \"quoted\" | piped"),
               make_cell("self_service", "minimax", Cause::upstream_key_quota_issue),
               make_cell("subscription", "minimax", Cause::harness_error)};
    s.gate = {false, "failed", "1 blocking product failure", {"stale baseline: x"}};
    s.exit_code = 1;
    return s;
}

}  // namespace

TEST_CASE("evidence: manifest lines are sha256sum -c compatible and sorted", "[evidence]") {
    std::vector<ManifestEntry> e = {{std::string(64, '0'), "a/b.json"}, {std::string(64, 'f'), "z.txt"}};
    CHECK(format_manifest(e) == std::string(64, '0') + "  a/b.json\n" + std::string(64, 'f') + "  z.txt\n");
    auto parsed = parse_manifest(format_manifest(e) + "garbage line\n");
    REQUIRE(parsed.size() == 3);
    CHECK(parsed[0] == e[0]);
    CHECK(parsed[1] == e[1]);
    CHECK(parsed[2].sha256.empty());
    CHECK(parsed[2].path == "garbage line");
}

TEST_CASE("evidence: junit escapes XML and maps verdicts to failure, error and skipped", "[evidence]") {
    CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(xml_escape(std::string("x\x01y", 3)) == "x\xEF\xBF\xBDy");
    CHECK(xml_escape("tab\tnl\n") == "tab\tnl\n");
    auto run = make_run();
    run.cells.push_back(make_cell("self_service", "glm", Cause::model_not_exposed));
    run.cells.back().gate_outcome = CellOutcome::known_failure;
    run.cells.push_back(make_cell("self_service", "kimi", Cause::shared_host_residue, "3 foreign groups"));
    run.cells.push_back(make_cell("subscription", "glm", Cause::upstream_key_quota_issue));
    run.cells.back().gate_outcome = CellOutcome::expectation_met;
    run.cells.push_back(make_cell("subscription", "kimi", Cause::ready));
    run.cells.back().gate_outcome = CellOutcome::expectation_mismatch;
    run.cells.back().expected_cause = Cause::transient_rate_limit;
    std::string x = junit_xml(run);
    CHECK(x.find("<system-out>expected cause met: upstream_key_quota_issue: why</system-out>") != std::string::npos);
    CHECK(x.find("<failure message=\"expected transient_rate_limit, got ready\" type=\"expectation_mismatch\">") !=
          std::string::npos);
    CHECK(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    CHECK(x.find("tests=\"8\" failures=\"2\" errors=\"1\" skipped=\"2\"") != std::string::npos);
    CHECK(x.find("<failure message=\"host_compatibility_gap\" type=\"fail\">502 &lt;upstream_error&gt; &amp; "
                 "&quot;quoted&quot; | piped</failure>") != std::string::npos);
    CHECK(x.find("<error message=\"harness_error\"") != std::string::npos);
    CHECK(x.find("<skipped message=\"upstream_key_quota_issue: why\"/>") != std::string::npos);
    CHECK(x.find("<skipped message=\"known failure (baseline): model_not_exposed\"/>") != std::string::npos);
    CHECK(x.find("<system-out>shared_host_residue: 3 foreign groups</system-out>") != std::string::npos);
    CHECK(x.find("classname=\"crm-accept.default.self_service\" name=\"deepseek\" time=\"1.234\"/>") !=
          std::string::npos);
    CHECK(x.find('<' + std::string("upstream_error")) == std::string::npos);
}

TEST_CASE("evidence: summary.md, report.html and 21-summary.md render from the embedded templates", "[evidence]") {
    auto run = make_run();
    auto t = builtin_templates();
    auto md = render_summary_md(run, "complete", t);
    REQUIRE(md);
    CHECK(md->find("# crm-accept run: default") != std::string::npos);
    CHECK(md->find("| subscription × deepseek | cn@1 | `host_compatibility_gap` | fail |") != std::string::npos);
    CHECK(md->find("\\| piped") != std::string::npos);  // a '|' cannot break the table
    // Links name the cell, so they make sense when summary.md is shown outside the bundle.
    CHECK(md->find("[self_service__minimax/21-summary.md](self_service__minimax/21-summary.md)") != std::string::npos);
    CHECK(md->find("| | |") == std::string::npos);  // no empty header row
    CHECK(md->find("stale baseline: x") != std::string::npos);
    CHECK(md->find("incomplete") == std::string::npos);
    auto incomplete = render_summary_md(run, "incomplete", t);
    REQUIRE(incomplete);
    CHECK(incomplete->find("This bundle is incomplete") != std::string::npos);

    auto html = render_report_html(run, "complete", t);
    REQUIRE(html);
    CHECK(html->find("<th scope=\"col\">deepseek</th><th scope=\"col\">minimax</th>") != std::string::npos);
    CHECK(html->find("class=\"cell fail\"") != std::string::npos);
    CHECK(html->find("class=\"cell blocked\"") != std::string::npos);
    CHECK(html->find("class=\"cell error\"") != std::string::npos);
    // Each cell is a button that opens its panel on the same page.
    CHECK(html->find("<button type=\"button\" class=\"cell-btn\" aria-controls=\"cell-subscription__deepseek\"") !=
          std::string::npos);
    CHECK(html->find("<section class=\"panel\" id=\"cell-subscription__deepseek\"") != std::string::npos);
    CHECK(html->find("--pass:") != std::string::npos);  // the stylesheet partial is inlined
    CHECK(html->find("{{") == std::string::npos);
    CHECK(html->find("&lt;upstream_error&gt;") != std::string::npos);  // html-escaped
    CHECK(html->find("<upstream_error>") == std::string::npos);
    CHECK(html->find("http://") == html->find("http://127.0.0.1:1"));  // no external resources
    CHECK(html->find("<link") == std::string::npos);
    CHECK(html->find("<script src") == std::string::npos);

    auto cell = render_cell_summary_md(run.cells[1], {"10-chat.json"}, t);
    REQUIRE(cell);
    CHECK(cell->find("# subscription × deepseek: `host_compatibility_gap`") != std::string::npos);
    CHECK(cell->find("(blocks release by default)") != std::string::npos);
    CHECK(cell->find("- [subscription__deepseek/10-chat.json](10-chat.json)\n") != std::string::npos);
    CHECK(cell->find("| 08-subscription-group-state | skipped |") != std::string::npos);
    CHECK(cell->find("Notes (do not block)") == std::string::npos);
    auto missing = render_cell_summary_md(run.cells[1], {}, t);
    REQUIRE(missing);
    CHECK(missing->find("(not written)") != std::string::npos);
    auto noted = run.cells[1];
    noted.notes = {"x-api-key refused <401>"};
    auto with_notes = render_cell_summary_md(noted, {}, t);
    REQUIRE(with_notes);
    CHECK(with_notes->find("## Notes (do not block)\n\n- x-api-key refused <401>\n") != std::string::npos);
}

TEST_CASE("templates: the embedded copies are identical to templates/", "[evidence]") {
    INFO("regenerate with: sh harness/evidence/regen_builtin_templates.sh");
    auto dir = std::string(CRM_SOURCE_DIR) + "/templates/";
    CHECK(crm::util::read_file(dir + "summary.md.mustache").value() == std::string(k_tpl_summary_md));
    CHECK(crm::util::read_file(dir + "cell_summary.md.mustache").value() == std::string(k_tpl_cell_summary_md));
    CHECK(crm::util::read_file(dir + "report.html.mustache").value() == std::string(k_tpl_report_html));
    CHECK(crm::util::read_file(dir + "board.md.mustache").value() == std::string(k_tpl_board_md));
    CHECK(crm::util::read_file(dir + "board.html.mustache").value() == std::string(k_tpl_board_html));
    CHECK(crm::util::read_file(dir + "step_summary.md.mustache").value() == std::string(k_tpl_step_summary_md));
    auto loaded = load_templates(dir);
    REQUIRE(loaded);
    CHECK(loaded->report_html == builtin_templates().report_html);
}

TEST_CASE("evidence: a broken template is an error naming the template", "[evidence]") {
    auto r = render_template("{{#open}} never closed", crm::util::json::object{}, "x.mustache");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("x.mustache: template error"));
}

TEST_CASE("evidence: the run summary round-trips through summary.json", "[evidence]") {
    auto run = make_run();
    run.cells[0].expected_cause = Cause::ready;
    run.cells[0].notes = {"a note that does not block"};
    run.argv = {"crm-accept", "run", "scenarios/default.json"};
    run.matrix = crm::util::json::object{{"modes", crm::util::json::array{"self_service"}}};
    auto doc = summary_json(run, "complete");
    CHECK(doc.at("schema_version").as_int64() == 1);
    CHECK(doc.at("status").as_string() == "complete");
    CHECK(doc.at("verdict_counts").at("fail").as_int64() == 1);
    CHECK(doc.at("cells").as_array()[1].at("folder").as_string() == "subscription__deepseek");
    auto back = run_summary_from_json(doc, "summary.json");
    if (!back) FAIL(back.error().describe());
    CHECK(*back == run);
    auto bad = doc;
    bad["cells"].as_array()[0].as_object()["cause"] = "nonsense";
    auto r = run_summary_from_json(bad, "summary.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "summary.json: cells[0]: cause: unknown cause 'nonsense'");
    CHECK(run_json(run, "incomplete").at("status").as_string() == "incomplete");
    CHECK_FALSE(run_json(run, "incomplete").contains("cells"));
}

TEST_CASE("evidence: timestamps carry the UTC offset and names are sanitised", "[evidence]") {
    auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795478400));  // 2026-11-24T00:00:00Z
    CHECK(iso8601(t, true) == "2026-11-24T00:00:00+00:00");
    CHECK(bundle_stamp(t, true) == "20261124_000000");
    CHECK(timezone_name(t, true) == "UTC");
    auto local = iso8601(t);
    CHECK(local.size() == 25);
    CHECK((local[19] == '+' || local[19] == '-'));
    CHECK(sanitize_name("self service/../x") == "self-service-..-x");
    CHECK(sanitize_name("..") == "_");
    CellSummary c;
    c.mode = "self_service";
    c.provider = "deep seek";
    CHECK(c.folder() == "self_service__deep-seek");
}

TEST_CASE("bundle folder names carry scenario and label, never a secret-shaped one", "[harness][evidence]") {
    BundleOptions o;
    o.scenario = "release";
    o.label = "nightly 42";
    o.utc = true;
    const auto name = bundle_folder_name(o);
    CHECK(name.size() > 16);
    CHECK(name.substr(name.size() - 19) == "_release_nightly-42");
    o.label = "sk-" + std::string(48, 'f');
    CHECK(bundle_folder_name(o).ends_with("_release_redacted"));
    o.scenario = "admin-" + std::string(64, '1');
    o.label.clear();
    CHECK(bundle_folder_name(o).ends_with("_redacted"));
}

TEST_CASE("evidence: a cell that never ran is not_run in summary.json, skipped in JUnit and grey in the report",
          "[evidence]") {
    auto run = make_run();
    CellSummary never = make_cell("subscription", "kimi", Cause::harness_error, "not started: the run was interrupted");
    never.not_run = true;
    never.gate_outcome = CellOutcome::not_run;
    never.steps.clear();
    run.cells.push_back(never);
    run.interrupted = true;

    auto doc = summary_json(run, "incomplete");
    const auto& cell = doc.at("cells").as_array().back();
    CHECK(cell.at("cause").as_string() == "not_run");
    CHECK(cell.at("verdict").as_string() == "not_run");
    CHECK(doc.at("verdict_counts").at("not_run").as_int64() == 1);
    CHECK(doc.at("verdict_counts").at("error").as_int64() == 1);  // the real harness_error cell only
    auto back = run_summary_from_json(doc, "summary.json");
    if (!back) FAIL(back.error().describe());
    CHECK(back->cells.back().not_run);

    std::string x = junit_xml(run);
    CHECK(x.find("tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"2\"") != std::string::npos);
    CHECK(x.find("name=\"kimi\" time=\"1.234\">\n      <skipped message=\"not run: the run was interrupted before this "
                 "cell started\"/>") != std::string::npos);

    auto html = render_report_html(run, "incomplete", builtin_templates());
    REQUIRE(html);
    CHECK(html->find("<td class=\"cell not-run\" data-cell=\"cell-subscription__kimi\">") != std::string::npos);
    CHECK(html->find("<span class=\"cause\">not run</span>") != std::string::npos);
    CHECK(html->find("<span class=\"badge not-run\">not run: 1</span>") != std::string::npos);
    CHECK(html->find("<p class=\"explanation\">not started: the run was interrupted</p>") != std::string::npos);
    auto md = render_summary_md(run, "incomplete", builtin_templates());
    REQUIRE(md);
    CHECK(md->find("| `not run` | not run | not_run |  | not run |") != std::string::npos);
}
