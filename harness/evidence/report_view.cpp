#include "harness/evidence/report_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "harness/evidence/artifact_excerpt.hpp"
#include "harness/evidence/differential.hpp"
#include "harness/evidence/report.hpp"
#include "harness/evidence/step_timeline.hpp"
#include "harness/inspect/decisive_fields.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

// The waterfall's drawing box (SVG user units; the picture scales to the panel's width).
constexpr double k_svg_width = 760;
constexpr double k_label_width = 190;
constexpr double k_ms_width = 120;
constexpr double k_row_height = 18;
constexpr double k_bar_height = 12;
constexpr double k_axis_height = 22;

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string ms_text(double ms) {
    if (ms >= 10000) return fmt::format("{:.1f} s", ms / 1000.0);
    return fmt::format("{:.0f} ms", ms);
}

// A planted failure the scenario expected, or one the baseline lists: the gate accepts it, so
// the page must not paint it as alarming as a real one.
std::string expected_word(const CellSummary& c) {
    if (c.not_run || c.interrupted || c.verdict == classify::Verdict::pass) return {};
    if (c.gate_outcome == gate::CellOutcome::expectation_met) return "expected";
    if (c.gate_outcome == gate::CellOutcome::known_failure) return "known failure";
    return {};
}

json::object timeline_view(const std::vector<StepRecord>& steps) {
    const Timeline t = layout_timeline(steps);
    const double scale_w = k_svg_width - k_label_width - k_ms_width;
    const double total = t.total_ms > 0 ? t.total_ms : 1;
    json::array bars;
    double y = 0;
    for (const auto& b : t.bars) {
        const bool drawn = b.state == "ran" || b.state == "failed";
        const double x = k_label_width + b.start_ms / total * scale_w;
        // A step that ran in under a pixel still shows as a sliver, so no step that ran vanishes.
        const double w = drawn ? std::max(1.5, b.elapsed_ms / total * scale_w) : 0;
        const double net_w = drawn ? std::min(w, b.network_ms / total * scale_w) : 0;
        std::string tip = fmt::format("{} ({}): {}", b.label, b.state, ms_text(b.elapsed_ms));
        if (b.network_ms > 0) tip += fmt::format(", of which {} waiting on the network", ms_text(b.network_ms));
        if (b.upstream_lane) tip += "; upstream lane, runs alongside the host steps";
        if (!b.note.empty()) tip += ". " + b.note;
        bars.emplace_back(json::object{
            {"label", b.label},
            {"state", b.state},
            {"drawn", drawn},
            {"upstream", b.upstream_lane},
            {"text_y", num(y + k_row_height - 5)},
            {"bar_y", num(y + (k_row_height - k_bar_height) / 2)},
            {"bar_h", num(k_bar_height)},
            {"x", num(x)},
            {"w", num(w)},
            {"net_w", num(net_w)},
            {"ms_x", num(k_svg_width - k_ms_width + 6)},
            {"ms", drawn                  ? ms_text(b.elapsed_ms)
                   : b.state == "skipped" ? std::string("skipped")
                                          : std::string("not reached")},
            {"tip", tip},
        });
        y += k_row_height;
    }
    json::array ticks;
    for (double f : {0.0, 0.25, 0.5, 0.75, 1.0}) {
        ticks.emplace_back(json::object{{"x", num(k_label_width + f * scale_w)},
                                        {"y1", "0"},
                                        {"y2", num(y)},
                                        {"text_y", num(y + 15)},
                                        {"text", ms_text(f * t.total_ms)}});
    }
    return json::object{{"has", !t.bars.empty()},       {"width", num(k_svg_width)}, {"height", num(y + k_axis_height)},
                        {"total", ms_text(t.total_ms)}, {"bars", std::move(bars)},   {"ticks", std::move(ticks)}};
}

json::object differential_view(const std::vector<inspect::DecisiveField>& fields,
                               const std::set<std::string>& present) {
    json::array pairs;
    for (const auto& p : differential(fields, present)) {
        json::array rows;
        for (const auto& r : p.rows) {
            rows.emplace_back(json::object{{"what", r.what},
                                           {"host", r.host.empty() ? std::string("\u2013") : r.host},
                                           {"upstream", r.upstream.empty() ? std::string("\u2013") : r.upstream},
                                           {"differs", r.differs}});
        }
        pairs.emplace_back(json::object{{"title", p.title},
                                        {"host_artifact", p.host_artifact},
                                        {"upstream_artifact", p.upstream_artifact},
                                        {"host_missing", !p.host_present},
                                        {"upstream_missing", !p.upstream_present},
                                        {"has_rows", !p.rows.empty()},
                                        {"rows", std::move(rows)}});
    }
    const bool has = !pairs.empty();
    return json::object{{"has", has}, {"pairs", std::move(pairs)}};
}

// The decisive fields in reading order (host, engine, gateway, upstream, rollback).
json::object decisive_view(const std::vector<inspect::DecisiveField>& fields) {
    json::array rows;
    for (const auto& f : fields) {
        rows.emplace_back(
            json::object{{"artifact", f.artifact}, {"label", f.label}, {"value", f.value}, {"proving", f.proving}});
    }
    const bool has = !rows.empty();
    return json::object{{"has", has}, {"rows", std::move(rows)}};
}

json::object artifacts_view(const CellSummary& c, const std::vector<ArtifactExcerpt>& excerpts) {
    json::array list;
    for (const auto& e : excerpts) {
        const bool proving = std::find(c.artifacts.begin(), c.artifacts.end(), e.name) != c.artifacts.end();
        list.emplace_back(json::object{{"name", e.name},
                                       {"kind", e.kind},
                                       {"present", e.present},
                                       {"proving", proving},
                                       {"size", e.present ? fmt::format("{} B", e.size) : std::string()},
                                       {"has_text", !e.text.empty()},
                                       {"text", e.text},
                                       {"note", e.note},
                                       {"has_note", !e.note.empty()}});
    }
    const bool has = !list.empty();
    return json::object{{"has", has}, {"list", std::move(list)}};
}

}  // namespace

std::string format_age(std::chrono::seconds age) {
    const auto s = std::max<std::int64_t>(0, age.count());
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min", s / 60);
    if (s < 86400) return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
    return fmt::format("{} d {} h", s / 86400, (s % 86400) / 3600);
}

std::string gate_css(const RunSummary& s) {
    if (s.gate.decision == "interrupted" || s.interrupted) return "not-run";
    if (s.gate.passed) return "pass";
    return "fail";
}

json::object cell_panel_view(const CellSummary& c, const fs::path& cell_dir) {
    json::object o;
    o["id"] = "cell-" + c.folder();
    o["folder"] = c.folder();
    o["title"] = cell_title(c);
    o["pack"] = c.pack;
    o["css"] = verdict_css(c);
    o["cause"] = cause_word(c);
    o["verdict"] = verdict_word(c);
    o["gate_outcome"] = std::string(c.gate_word());
    o["gate_reason"] = c.gate_reason;
    o["has_gate_reason"] = !c.gate_reason.empty();
    o["expected"] = expected_word(c);
    o["is_expected"] = !expected_word(c).empty();
    o["has_expected_cause"] = c.expected_cause.has_value();
    o["expected_cause"] = c.expected_cause ? std::string(classify::to_string(*c.expected_cause)) : std::string();
    o["explanation"] = c.explanation;
    o["rule_id"] = c.rule_id;
    o["has_rule"] = !c.rule_id.empty() && !c.not_run;
    o["elapsed"] = ms_text(static_cast<double>(c.elapsed_ms));
    o["not_run"] = c.not_run;
    json::array notes;
    for (const auto& n : c.notes) notes.emplace_back(json::object{{"text", n}});
    o["has_notes"] = !notes.empty();
    o["notes"] = std::move(notes);
    std::vector<ArtifactExcerpt> excerpts;
    std::vector<inspect::DecisiveField> fields;
    std::set<std::string> present;
    if (!cell_dir.empty()) {
        excerpts = read_cell_excerpts(cell_dir, c.artifacts);
        for (const auto& e : excerpts) {
            if (e.present) present.insert(e.name);
        }
        if (!present.empty()) fields = inspect::decisive_fields(cell_dir, c.artifacts);
    }
    o["differential"] = differential_view(fields, present);
    o["decisive"] = decisive_view(fields);
    o["timeline"] = timeline_view(c.steps);
    o["artifacts"] = artifacts_view(c, excerpts);
    return o;
}

json::object report_view(const RunSummary& s, std::string_view status, const ReportContext& ctx) {
    json::object o = summary_view(s, status, false);
    o["gate_css"] = gate_css(s);
    o["gate_word"] = [&] {
        std::string w = s.gate.decision.empty() ? (s.gate.passed ? "passed" : "failed") : s.gate.decision;
        std::transform(w.begin(), w.end(), w.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        return w;
    }();
    o["has_host_version"] = !s.host_version.empty();
    o["has_clock_override"] = !s.clock_override.empty();
    o["clock_override"] = s.clock_override;
    std::string age;
    if (ctx.rendered_at) {
        if (auto ended = parse_iso8601(s.ended_at)) {
            age = format_age(std::chrono::duration_cast<std::chrono::seconds>(*ctx.rendered_at - *ended));
        }
    }
    o["has_age"] = !age.empty();
    o["evidence_age"] = age;

    // Hosts in matrix order; within each, modes and providers in the order the cells come.
    struct Grid {
        std::vector<std::string> modes, providers;
        std::map<std::pair<std::string, std::string>, const CellSummary*> at;
    };
    std::vector<std::string> host_order;
    std::map<std::string, Grid> grids;
    for (const auto& c : s.cells) {
        if (!grids.contains(c.host)) host_order.push_back(c.host);
        Grid& g = grids[c.host];
        if (std::find(g.modes.begin(), g.modes.end(), c.mode) == g.modes.end()) g.modes.push_back(c.mode);
        if (std::find(g.providers.begin(), g.providers.end(), c.provider) == g.providers.end())
            g.providers.push_back(c.provider);
        g.at[{c.mode, c.provider}] = &c;
    }
    json::array hosts;
    for (const auto& h : host_order) {
        const Grid& g = grids[h];
        json::array prov;
        for (const auto& p : g.providers) prov.emplace_back(json::object{{"name", p}});
        json::array rows;
        for (const auto& m : g.modes) {
            json::array row;
            for (const auto& p : g.providers) {
                auto it = g.at.find({m, p});
                if (it == g.at.end()) {
                    row.emplace_back(json::object{{"present", false}});
                    continue;
                }
                const CellSummary& c = *it->second;
                const std::string expected = expected_word(c);
                row.emplace_back(json::object{{"present", true},
                                              {"id", "cell-" + c.folder()},
                                              {"title", cell_title(c)},
                                              {"css", verdict_css(c)},
                                              {"cause", cause_word(c)},
                                              {"verdict", verdict_word(c)},
                                              {"gate_outcome", std::string(c.gate_word())},
                                              {"expected", expected},
                                              {"is_expected", !expected.empty()}});
            }
            rows.emplace_back(json::object{{"mode", m}, {"cells", std::move(row)}});
        }
        hosts.emplace_back(json::object{
            {"name", h}, {"named", !h.empty()}, {"providers", std::move(prov)}, {"rows", std::move(rows)}});
    }
    o["hosts_axis"] = host_order.size() > 1 || (host_order.size() == 1 && !host_order.front().empty());
    o["hosts"] = std::move(hosts);

    json::array panels;
    for (const auto& c : s.cells) {
        fs::path dir = ctx.bundle_dir.empty() ? fs::path() : ctx.bundle_dir / c.folder();
        panels.emplace_back(cell_panel_view(c, dir));
    }
    o["panels"] = std::move(panels);
    return o;
}

}  // namespace crm::harness::evidence
