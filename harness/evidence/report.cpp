#include "harness/evidence/report.hpp"

#include <fmt/format.h>

#include <kainjow/mustache.hpp>
#include <map>

#include "harness/evidence/builtin_templates.hpp"
#include "util/files.hpp"

namespace crm::harness::evidence {

namespace json = util::json;
namespace mst = kainjow::mustache;

namespace {

mst::data to_data(const json::value& v) {
    switch (v.kind()) {
        case json::kind::object: {
            mst::data d{mst::data::type::object};
            for (const auto& kv : v.get_object()) d.set(std::string(kv.key()), to_data(kv.value()));
            return d;
        }
        case json::kind::array: {
            mst::data d{mst::data::type::list};
            for (const auto& e : v.get_array()) d.push_back(to_data(e));
            return d;
        }
        case json::kind::string:
            return mst::data{std::string(v.get_string())};
        case json::kind::bool_:
            return mst::data{v.get_bool()};
        case json::kind::int64:
            return mst::data{std::to_string(v.get_int64())};
        case json::kind::uint64:
            return mst::data{std::to_string(v.get_uint64())};
        case json::kind::double_:
            return mst::data{fmt::format("{}", v.get_double())};
        case json::kind::null:
            return mst::data{false};
    }
    return mst::data{false};
}

// An override directory may leave out a template added later: the embedded one stands in.
util::Result<std::string> optional_template(const std::filesystem::path& dir, std::string_view file,
                                            std::string_view builtin) {
    std::error_code ec;
    if (!std::filesystem::exists(dir / file, ec)) return std::string(builtin);
    return util::read_file(dir / file);
}

}  // namespace

std::string md_cell(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|')
            out += "\\|";
        else if (c == '\n' || c == '\r')
            out += ' ';
        else
            out += c;
    }
    return out;
}

Templates builtin_templates() {
    return Templates{std::string(k_tpl_summary_md), std::string(k_tpl_cell_summary_md), std::string(k_tpl_report_html),
                     std::string(k_tpl_style_css), std::string(k_tpl_step_summary_md)};
}

util::Result<Templates> load_templates(const std::filesystem::path& dir) {
    Templates t;
    CRM_TRY(a, util::read_file(dir / "summary.md.mustache"));
    CRM_TRY(b, util::read_file(dir / "cell_summary.md.mustache"));
    CRM_TRY(c, util::read_file(dir / "report.html.mustache"));
    t.summary_md = std::move(a);
    t.cell_summary_md = std::move(b);
    t.report_html = std::move(c);
    CRM_TRY(css, optional_template(dir, "style.css.mustache", k_tpl_style_css));
    t.style_css = std::move(css);
    // Directories written before the step summary existed keep working.
    CRM_TRY(step, optional_template(dir, "step_summary.md.mustache", k_tpl_step_summary_md));
    t.step_summary_md = std::move(step);
    return t;
}

util::Result<std::string> render_template(std::string_view tpl, const json::value& data, std::string_view name,
                                          const std::map<std::string, std::string>& partials) {
    mst::mustache m{std::string(tpl)};
    if (!m.is_valid()) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: template error: {}", name, m.error_message()));
    }
    mst::data d = to_data(data);
    for (const auto& [key, text] : partials) d.set(key, mst::partial([text = text] { return text; }));
    std::string out = m.render(d);
    if (!m.is_valid()) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: template error: {}", name, m.error_message()));
    }
    return out;
}

std::string cell_title(const CellSummary& c) {
    std::string t = c.host.empty() ? std::string() : c.host + " \u00d7 ";
    return t + c.mode + " \u00d7 " + c.provider;
}

std::string cause_word(const CellSummary& c) {
    if (c.not_run) return "not run";
    if (c.interrupted) return "interrupted";
    return std::string(classify::to_string(c.cause));
}

std::string verdict_word(const CellSummary& c) {
    if (c.not_run) return "not run";
    if (c.interrupted) return "interrupted";
    return std::string(classify::to_string(c.verdict));
}

std::string verdict_css(const CellSummary& c) {
    if (c.not_run) return "not-run";
    if (c.interrupted) return "interrupted";
    if (classify::is_noted_pass(c.cause)) return "pass-noted";
    return std::string(classify::to_string(c.verdict));
}

json::object summary_view(const RunSummary& s, std::string_view status, bool markdown) {
    auto txt = [&](std::string_view v) { return markdown ? md_cell(v) : std::string(v); };
    json::object o;
    o["scenario_name"] = txt(s.scenario_name);
    o["scenario_path"] = txt(s.scenario_path);
    o["scenario_sha256"] = s.scenario_sha256;
    o["label"] = txt(s.label);
    o["has_label"] = !s.label.empty();
    o["status"] = status;
    o["incomplete"] = status != "complete";
    o["interrupted"] = s.interrupted;
    o["host_kind"] = txt(s.host_kind);
    o["host_url"] = txt(s.host_url);
    o["host_version"] = txt(s.host_version);
    // How the engine was driven: in this process, or through a control plane's HTTP API.
    o["engine"] = txt(s.engine_via == "serve"
                          ? "through the control plane (serve)" + (s.engine_url.empty() ? "" : " at " + s.engine_url)
                          : std::string("in process"));
    o["started_at"] = s.started_at;
    o["ended_at"] = s.ended_at;
    o["timezone"] = s.timezone;
    o["tool_version"] = s.tool_version;
    o["git_sha"] = s.git_sha;
    o["gate_decision"] = txt(s.gate.decision.empty() ? (s.gate.passed ? "passed" : "failed") : s.gate.decision);
    o["gate_reason"] = txt(s.gate.reason);
    o["exit_code"] = std::to_string(s.exit_code);
    json::array notes;
    for (const auto& n : s.gate.notes) notes.emplace_back(json::object{{"text", txt(n)}});
    o["has_notes"] = !notes.empty();
    o["notes"] = std::move(notes);

    std::map<std::string, int> counts;
    json::array cells;
    bool any_failing = false;
    for (const auto& c : s.cells) {
        // A cell the interrupt stopped has no verdict of its own: it is counted as interrupted,
        // never as the harness error its placeholder cause would say.
        ++counts[c.not_run       ? std::string(k_not_run)
                 : c.interrupted ? std::string("interrupted")
                                 : std::string(classify::to_string(c.verdict))];
        json::object cv;
        cv["folder"] = c.folder();
        cv["title"] = txt(cell_title(c));
        cv["mode"] = txt(c.mode);
        cv["provider"] = txt(c.provider);
        cv["pack"] = txt(c.pack);
        cv["cause"] = cause_word(c);
        cv["verdict"] = verdict_word(c);
        cv["not_run"] = c.not_run;
        cv["gate_outcome"] = txt(c.gate_word());
        const bool passes = !c.not_run && !c.interrupted && gate::outcome_passes(c.gate_outcome);
        cv["gate_passes"] = passes;
        any_failing = any_failing || !passes;
        cv["expected_cause"] = c.expected_cause ? std::string(classify::to_string(*c.expected_cause)) : std::string();
        cv["explanation"] = markdown ? md_cell(c.explanation_with_gate()) : c.explanation_with_gate();
        cells.emplace_back(std::move(cv));
    }
    o["cells"] = std::move(cells);
    o["has_failing"] = any_failing;
    json::array count_list;
    for (auto v : classify::k_all_verdicts) {
        auto it = counts.find(std::string(classify::to_string(v)));
        if (it != counts.end()) {
            count_list.emplace_back(
                json::object{{"verdict", it->first}, {"css", it->first}, {"count", std::to_string(it->second)}});
        }
    }
    if (auto it = counts.find(std::string(k_not_run)); it != counts.end()) {
        count_list.emplace_back(
            json::object{{"verdict", "not run"}, {"css", "not-run"}, {"count", std::to_string(it->second)}});
    }
    if (auto it = counts.find("interrupted"); it != counts.end()) {
        count_list.emplace_back(
            json::object{{"verdict", "interrupted"}, {"css", "interrupted"}, {"count", std::to_string(it->second)}});
    }
    o["counts"] = std::move(count_list);
    return o;
}

json::object cell_view(const CellSummary& c, const std::set<std::string>& present) {
    json::object o = to_json(c);
    o["blocks_release"] = classify::blocks_release_by_default(c.cause);
    o["has_expected"] = c.expected_cause.has_value();
    o["explanation"] = c.explanation_with_gate();
    o["has_notes"] = !c.notes.empty();
    o["title"] = cell_title(c);
    json::array notes;
    for (const auto& n : c.notes) notes.emplace_back(json::object{{"text", n}});
    o["notes"] = std::move(notes);
    o["elapsed_ms"] = std::to_string(c.elapsed_ms);
    json::array artifacts;
    for (const auto& a : c.artifacts) {
        artifacts.emplace_back(json::object{{"name", a}, {"present", present.contains(a)}});
    }
    o["artifacts"] = std::move(artifacts);
    json::array steps;
    for (const auto& st : c.steps) {
        steps.emplace_back(json::object{{"name", md_cell(st.label())},
                                        {"state", std::string(to_string(st.state))},
                                        {"elapsed_ms", fmt::format("{:.0f}", st.elapsed_ms)}});
    }
    o["steps"] = std::move(steps);
    return o;
}

util::Result<std::string> render_summary_md(const RunSummary& s, std::string_view status, const Templates& t) {
    return render_template(t.summary_md, summary_view(s, status, true), "summary.md.mustache");
}

util::Result<std::string> render_report_html(const RunSummary& s, std::string_view status, const Templates& t,
                                             const ReportContext& ctx) {
    return render_template(t.report_html, report_view(s, status, ctx), "report.html.mustache",
                           {{"style", t.style_css}});
}

util::Result<std::string> render_step_summary_md(const RunSummary& s, std::string_view status,
                                                 const StepSummaryContext& where, const Templates& t) {
    auto view = summary_view(s, status, true);
    view["bundle_name"] = md_cell(where.bundle_name);
    view["artifact"] = md_cell(where.artifact);
    view["run_url"] = where.run_url;
    view["has_run_url"] = !where.run_url.empty();
    return render_template(t.step_summary_md, view, "step_summary.md.mustache");
}

util::Result<std::string> render_cell_summary_md(const CellSummary& c, const std::set<std::string>& present,
                                                 const Templates& t) {
    return render_template(t.cell_summary_md, cell_view(c, present), "cell_summary.md.mustache");
}

}  // namespace crm::harness::evidence
