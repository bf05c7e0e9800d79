// `crm-accept show BUNDLE [CELL] [--root DIR] [--json]`: one bundle read back for a person.
// Without CELL: the run (scenario, label, host, times, status, gate) and one line per cell. With
// CELL (an id or a unique prefix of one): the cell's cause, verdict, gate word and reason, the
// classifier's explanation, the evidence chain (decisive fields with the artifact each is quoted
// from), step timings and notes.
// Exit: 0 shown; 3 the bundle cannot be found or read, or no such cell (one line on stderr naming
// the ref and root, or the cell ids); 64 usage.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/cli/did_you_mean.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/inspect/decisive_fields.hpp"
#include "harness/inspect/named_bundle.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

namespace json = util::json;

inline constexpr std::string_view k_show_kind = "crm-accept.show";

struct ShowOptions {
    std::string root = evidence::k_default_bundle_root;
    std::string bundle;
    std::string cell;
    bool json = false;
};

std::string seconds(std::int64_t ms) { return fmt::format("{:.2f}s", static_cast<double>(ms) / 1000.0); }
std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

// The cell `ref` names: an exact id, else the only id starting with it.
util::Result<const evidence::BundleCell*> find_cell(const evidence::Bundle& b, const std::string& ref) {
    std::vector<const evidence::BundleCell*> matches;
    std::vector<std::string> ids;
    for (const auto& c : b.cells) {
        ids.push_back(c.plan.id);
        if (c.plan.id == ref) return &c;
        if (c.plan.id.starts_with(ref)) matches.push_back(&c);
    }
    if (matches.size() == 1) return matches.front();
    if (matches.size() > 1) {
        std::vector<std::string> names;
        for (const auto* m : matches) names.push_back(m->plan.id);
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("cell '{}' is ambiguous: {}", ref, fmt::join(names, ", ")));
    }
    auto near = cli::did_you_mean(ref, ids);
    return util::fail(util::ErrorCode::not_found,
                      near ? fmt::format("no cell '{}' in {} (did you mean '{}'?)", ref, b.dir.string(), *near)
                           : fmt::format("no cell '{}' in {} (cells: {})", ref, b.dir.string(), fmt::join(ids, ", ")));
}

struct CellLine {
    std::string cause, verdict, gate;
    std::int64_t elapsed_ms = 0;
};

CellLine line_of(const evidence::BundleCell& c) {
    if (!c.summary) {
        const char* word = c.folder_present ? "unfinished" : "not_run";
        return {word, word, std::string(evidence::k_not_run), 0};
    }
    const auto& s = *c.summary;
    if (s.not_run || s.interrupted) {
        std::string w(s.gate_word());
        return {w, w, w, s.elapsed_ms};
    }
    return {std::string(classify::to_string(s.cause)), std::string(classify::to_string(s.verdict)),
            std::string(s.gate_word()), s.elapsed_ms};
}

std::string hosts_text(const evidence::RunRecord& r) {
    if (r.hosts.size() <= 1) {
        return fmt::format("{} {}{}", or_dash(r.host_kind), or_dash(r.host_url),
                           r.host_version.empty() ? "" : fmt::format(" (version {})", r.host_version));
    }
    std::vector<std::string> parts;
    for (const auto& h : r.hosts) parts.push_back(fmt::format("{} {} {}", h.name, h.kind, h.url));
    return fmt::format("{}", fmt::join(parts, "; "));
}

// ---- the run ----------------------------------------------------------------------------

ExitCode show_run(const evidence::Bundle& b, const std::optional<evidence::RunSummary>& summary, bool as_json,
                  CommandContext& ctx) {
    const auto& r = b.run;
    if (as_json) {
        json::array cells;
        for (const auto& c : b.cells) {
            auto l = line_of(c);
            cells.push_back(json::object{{"cell", c.plan.id},
                                         {"cause", l.cause},
                                         {"verdict", l.verdict},
                                         {"gate", l.gate},
                                         {"elapsed_ms", l.elapsed_ms}});
        }
        json::value gate = nullptr;
        if (summary) gate = evidence::to_json(summary->gate);
        ctx.out << util::pretty(json::object{{"schema_version", 1},
                                             {"kind", k_show_kind},
                                             {"bundle", b.dir.filename().string()},
                                             {"dir", b.dir.string()},
                                             {"scenario", r.scenario_name},
                                             {"label", r.label},
                                             {"host_kind", r.host_kind},
                                             {"host_url", r.host_url},
                                             {"host_version", r.host_version},
                                             {"started_at", r.started_at},
                                             {"ended_at", r.ended_at},
                                             {"status", r.status},
                                             {"gate", std::move(gate)},
                                             {"cells", std::move(cells)}});
        return ExitCode::gate_passed;
    }
    std::string out;
    out += fmt::format("bundle:    {}\n", b.dir.string());
    out += fmt::format("scenario:  {} ({})\n", r.scenario_name, or_dash(r.scenario_path));
    out += fmt::format("label:     {}\n", or_dash(r.label));
    out += fmt::format("host:      {}\n", hosts_text(r));
    out += fmt::format("started:   {}\nended:     {}\n", or_dash(r.started_at), or_dash(r.ended_at));
    out += fmt::format("status:    {}{}\n", r.status, r.interrupted ? " (interrupted)" : "");
    if (summary) {
        out += fmt::format("gate:      {} (exit {}): {}\n", summary->gate.passed ? "PASSED" : "NOT PASSED",
                           summary->exit_code, or_dash(summary->gate.reason));
    } else {
        out += "gate:      none (the run did not finish)\n";
    }
    out += fmt::format("\n{:<32} {:<30} {:<13} {:<21} {:>8}\n", "cell", "cause", "verdict", "gate", "elapsed");
    for (const auto& c : b.cells) {
        auto l = line_of(c);
        out += fmt::format("{:<32} {:<30} {:<13} {:<21} {:>8}\n", c.plan.id, l.cause, l.verdict, l.gate,
                           seconds(l.elapsed_ms));
    }
    ctx.out << out;
    return ExitCode::gate_passed;
}

// ---- one cell -----------------------------------------------------------------------------

json::value cell_json(const evidence::Bundle& b, const evidence::BundleCell& c,
                      const std::vector<inspect::DecisiveField>& fields) {
    auto l = line_of(c);
    json::array evidence_rows;
    for (const auto& f : fields) {
        evidence_rows.push_back(json::object{{"artifact", f.artifact},
                                             {"field", f.pointer},
                                             {"label", f.label},
                                             {"value", f.value},
                                             {"proving", f.proving}});
    }
    json::object o{{"schema_version", 1},
                   {"kind", k_show_kind},
                   {"bundle", b.dir.filename().string()},
                   {"cell", c.plan.id},
                   {"finished", c.summary.has_value()},
                   {"cause", l.cause},
                   {"verdict", l.verdict},
                   {"gate", l.gate},
                   {"evidence", std::move(evidence_rows)}};
    if (c.summary) {
        const auto& s = *c.summary;
        json::array artifacts, notes, steps;
        for (const auto& a : s.artifacts) artifacts.emplace_back(a);
        for (const auto& n : s.notes) notes.emplace_back(n);
        for (const auto& st : s.steps) {
            steps.push_back(json::object{{"number", st.number},
                                         {"name", st.name},
                                         {"state", evidence::to_string(st.state)},
                                         {"note", st.note},
                                         {"elapsed_ms", st.elapsed_ms},
                                         {"network_ms", st.network_ms}});
        }
        o["gate_reason"] = s.gate_reason;
        o["explanation"] = s.explanation;
        o["rule"] = s.rule_id;
        o["elapsed_ms"] = s.elapsed_ms;
        o["proving_artifacts"] = std::move(artifacts);
        o["steps"] = std::move(steps);
        o["notes"] = std::move(notes);
    }
    return o;
}

std::string cell_text(const evidence::Bundle& b, const evidence::BundleCell& c,
                      const std::vector<inspect::DecisiveField>& fields) {
    auto l = line_of(c);
    std::string out = fmt::format("cell:      {}  ({})\n", c.plan.id, b.dir.filename().string());
    out += fmt::format("cause:     {}\nverdict:   {}\ngate:      {}\n", l.cause, l.verdict, l.gate);
    if (!c.summary) {
        out += c.folder_present ? "the cell started but did not finish: no 21-summary.json\n"
                                : "the cell never started: no folder\n";
    } else {
        const auto& s = *c.summary;
        if (s.expected_cause) out += fmt::format("expected:  {}\n", classify::to_string(*s.expected_cause));
        out += fmt::format("reason:    {}\n", or_dash(s.gate_reason));
        out += fmt::format("rule:      {}\nelapsed:   {}\n", or_dash(s.rule_id), seconds(s.elapsed_ms));
        out += fmt::format("\nexplanation:\n  {}\n", or_dash(s.explanation));
    }
    out += "\nevidence (* = an artifact the classifier named):\n";
    if (fields.empty()) out += "  (no decisive field found in the cell's artifacts)\n";
    for (const auto& f : fields) {
        out += fmt::format("  {} {:<26} {:<30} {}\n", f.proving ? '*' : ' ', f.artifact, f.label, f.value);
    }
    if (c.summary) {
        std::vector<std::string> quoted;
        for (const auto& f : fields) quoted.push_back(f.artifact);
        std::vector<std::string> others;
        for (const auto& a : c.summary->artifacts) {
            if (std::ranges::find(quoted, a) == quoted.end()) others.push_back(a);
        }
        if (!others.empty()) out += fmt::format("  * also named: {}\n", fmt::join(others, ", "));
        out += fmt::format("\nsteps:\n  {:<4} {:<24} {:<12} {:>10} {:>10}\n", "#", "name", "state", "elapsed", "network");
        for (const auto& st : c.summary->steps) {
            out += fmt::format("  {:<4} {:<24} {:<12} {:>8.1f}ms {:>8.1f}ms{}\n", fmt::format("{:02}", st.number),
                               st.name, evidence::to_string(st.state), st.elapsed_ms, st.network_ms,
                               st.note.empty() ? "" : "  " + st.note);
        }
        out += "\nnotes:\n";
        if (c.summary->notes.empty()) out += "  (none)\n";
        for (const auto& n : c.summary->notes) out += fmt::format("  - {}\n", n);
    }
    return out;
}

ExitCode run_show(const ShowOptions& opts, CommandContext& ctx) {
    auto bundle = inspect::open_named_bundle(opts.root, opts.bundle);
    if (!bundle) {
        ctx.err << "crm-accept show: " << bundle.error().message << "\n";
        return ExitCode::harness_error;
    }
    if (opts.cell.empty()) {
        auto summary = inspect::read_run_summary(bundle->dir);
        if (!summary) {
            ctx.err << "crm-accept show: " << summary.error().message << "\n";
            return ExitCode::harness_error;
        }
        return show_run(*bundle, *summary, opts.json, ctx);
    }
    auto cell = find_cell(*bundle, opts.cell);
    if (!cell) {
        ctx.err << "crm-accept show: " << cell.error().message << "\n";
        return ExitCode::harness_error;
    }
    const auto& c = **cell;
    auto fields = c.folder_present
                      ? inspect::decisive_fields(bundle->dir / c.plan.id,
                                                 c.summary ? c.summary->artifacts : std::vector<std::string>{})
                      : std::vector<inspect::DecisiveField>{};
    if (opts.json)
        ctx.out << util::pretty(cell_json(*bundle, c, fields));
    else
        ctx.out << cell_text(*bundle, c, fields);
    return ExitCode::gate_passed;
}

}  // namespace

void register_show(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<ShowOptions>();
    auto* cmd = app.add_subcommand("show", "Show a bundle's run and cells, or one cell's cause and evidence chain");
    cmd->add_option("BUNDLE", opts->bundle, "Bundle folder, or a unique prefix of its name under --root")->required();
    cmd->add_option("CELL", opts->cell, "Cell id, or a unique prefix of one (e.g. self_service__kimi)");
    cmd->add_option("--root", opts->root, "Evidence root the BUNDLE prefix is looked up in")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Machine-readable output (kind crm-accept.show)");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_show(*opts, ctx); }; });
}

}  // namespace crm::harness
