// `crm-accept merge A B ... --out DIR`: joins shard bundles of one scenario into one bundle equal
// to an unsharded run (same cells in matrix order, same causes), re-gated, re-manifested and
// re-audited. Inputs are verified first: each must be complete, of the same scenario (sha256),
// with a matching MANIFEST (evidence::read_earlier_bundle, shared with --rerun-failed); no cell
// may appear twice; and together they must cover the whole matrix (or the recorded --only
// selection). Any refusal is one line on stderr, writes nothing and exits 3 (4 when a manifest
// does not hold): a merged bundle is only ever as passing as the run it stands for.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>

#include "harness/cli/command.hpp"
#include "harness/evidence/bundle.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/verify.hpp"
#include "harness/gate/baseline.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "harness/scenario/scenario_parser.hpp"
#include "util/files.hpp"

namespace crm::harness {

namespace {

namespace fs = std::filesystem;
namespace json = util::json;

struct MergeOptions {
    std::vector<std::string> inputs;
    std::string out = "artifacts/real-host-acceptance";
    std::string label;
    bool json = false;
};

// "2026-05-21T19:14:18+08:00" -> seconds since the epoch.
std::optional<std::time_t> parse_iso(std::string_view s) {
    std::tm tm{};
    int oh = 0, om = 0;
    char sign = '+';
    if (std::sscanf(std::string(s).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &oh, &om) != 9)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::time_t t = timegm(&tm);
    long off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
    return t - off;
}

ExitCode refuse(CommandContext& ctx, const evidence::Refusal& r) {
    ctx.err << "merge: " << r.message << "\n";
    return r.kind == evidence::RefusalKind::untrustworthy ? ExitCode::audit_failed : ExitCode::harness_error;
}

struct MergedCell {
    fs::path src;               // the cell folder in its shard
    runner::CellReport report;  // read back through the bundle model, with its shard's decision
    json::value plan;           // the shard's recorded artifact plan for the cell
};
using MergedCells = std::map<std::size_t, MergedCell>;

std::string join_missing(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return fmt::format("shards do not cover the matrix: missing {} (pass every shard)", out);
}

// Without the scenario the shards' own records have to do. No --only: the matrix is indexes
// 0..cells_total-1, and a missing cell can be named by index only (its id lived in the shard
// that was not passed). With --only the selected indexes are unknown, so the shards themselves
// must be complete: K = 1..N of one N, or one unsharded bundle. A --rerun-failed bundle holds
// only what failed earlier and covers nothing by itself.
std::optional<std::string> coverage_from_records(const std::vector<evidence::EarlierBundle>& shards,
                                                 const MergedCells& cells, const std::string& scen_path) {
    const auto& first = shards.front();
    if (first.run.only.empty()) {
        if (first.run.cells_total == 0)
            return fmt::format(
                "cannot check that the shards cover the matrix: scenario {} is not available "
                "unchanged and 00-run.json records no cells_total",
                scen_path);
        std::vector<std::string> missing;
        for (std::size_t i = 0; i < first.run.cells_total; ++i) {
            if (!cells.contains(i)) missing.push_back(fmt::format("#{}", i));
        }
        if (missing.empty()) return std::nullopt;
        return join_missing(missing) +
               fmt::format("; cells named by matrix index of {}: scenario {} is not available unchanged",
                           first.run.cells_total, scen_path);
    }
    std::set<int> ks;
    int n = 0;
    for (const auto& sh : shards) {
        if (!sh.run.rerun_failed.empty()) continue;
        if (sh.run.shard.empty()) return std::nullopt;
        auto parsed = matrix::parse_shard(sh.run.shard);
        if (!parsed) continue;
        if (n != 0 && parsed->n != n)
            return fmt::format("{} is shard {} and {} is of {} shards: not shards of one run", sh.dir.string(),
                               sh.run.shard, shards.front().dir.string(), n);
        n = parsed->n;
        ks.insert(parsed->k);
    }
    if (n == 0)
        return fmt::format("cannot check that the shards cover --only '{}': scenario {} is not available unchanged",
                           first.run.only, scen_path);
    std::vector<std::string> missing;
    for (int k = 1; k <= n; ++k) {
        if (!ks.contains(k)) missing.push_back(fmt::format("shard {}/{}", k, n));
    }
    if (missing.empty()) return std::nullopt;
    return join_missing(missing);
}

// The union of the inputs must be the run they were cut from: one shard of two is half a run,
// and gating it alone would pass a bundle that never looked at the other half. With the scenario
// at hand (unchanged) the expected cells are its expansion, narrowed by the recorded --only.
std::optional<std::string> coverage_problem(const std::vector<evidence::EarlierBundle>& shards,
                                            const MergedCells& cells, const std::optional<scenario::Scenario>& scenario,
                                            const std::string& scen_path) {
    if (!scenario) return coverage_from_records(shards, cells, scen_path);
    auto expected = matrix::expand(*scenario);
    if (!shards.front().run.only.empty()) expected = matrix::filter_only(expected, shards.front().run.only);
    std::set<std::string> present;
    for (const auto& [idx, entry] : cells) present.insert(entry.report.cell.id);
    auto missing = matrix::missing_cells(expected, present);
    if (missing.empty()) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& c : missing) names.push_back(c.id);
    return join_missing(names);
}

ExitCode merge(const MergeOptions& o, CommandContext& ctx) {
    if (o.inputs.size() < 1) {
        ctx.err << "merge: give at least one bundle\n";
        return ExitCode::usage;
    }
    auto first = evidence::read_bundle_record(o.inputs.front());
    if (!first) return refuse(ctx, first.error());
    std::vector<evidence::EarlierBundle> shards;
    MergedCells cells;
    std::string oldest_start;
    for (const auto& in : o.inputs) {
        fs::path dir(in);
        auto shard = evidence::read_earlier_bundle(dir, {first->run.scenario_sha256, /*accept_incomplete=*/false});
        if (!shard) return refuse(ctx, shard.error());
        auto bundle = evidence::Bundle::open(dir);
        if (!bundle) {
            ctx.err << "merge: " << bundle.error().message << "\n";
            return ExitCode::harness_error;
        }
        const auto& started = bundle->run.started_at;
        if (oldest_start.empty() || started < oldest_start) oldest_start = started;
        for (const auto& bc : bundle->cells) {
            if (!bc.folder_present) continue;
            auto src = dir / bc.plan.id;
            if (!bc.summary) {
                ctx.err << fmt::format("merge: {}: the cell has no 21-summary.json\n", src.string());
                return ExitCode::harness_error;
            }
            if (auto it = cells.find(bc.plan.index); it != cells.end()) {
                ctx.err << fmt::format("merge: cell {} appears in {} and {}\n", bc.plan.id,
                                       it->second.src.parent_path().string(), in);
                return ExitCode::harness_error;
            }
            cells.emplace(bc.plan.index, MergedCell{src, runner::report_from_bundle(bc), bc.plan.artifacts});
        }
        shards.push_back(std::move(*shard));
    }
    for (const auto& sh : shards) {
        if (sh.run.only != shards.front().run.only) {
            ctx.err << fmt::format("merge: {} was run with --only '{}', {} with --only '{}': not shards of one run\n",
                                   shards.front().dir.string(), shards.front().run.only, sh.dir.string(), sh.run.only);
            return ExitCode::harness_error;
        }
    }
    const auto& fr = first->run;
    std::string name = fr.scenario_name.empty() ? "merged" : fr.scenario_name;
    const std::string& scen_path = fr.scenario_path;
    const std::string& scen_sha = fr.scenario_sha256;
    std::string label = !o.label.empty() ? o.label : fr.label;

    // The gate policy comes from the scenario when it is still the same file.
    gate::GatePolicyInput policy;
    std::optional<gate::Baseline> baseline;
    std::vector<std::string> notes;
    auto loaded = scenario::load_scenario(scen_path, ctx.env);
    std::optional<scenario::Scenario> same_scenario;
    if (loaded && loaded->sha256 == scen_sha) same_scenario = std::move(*loaded);
    if (auto problem = coverage_problem(shards, cells, same_scenario, scen_path)) {
        ctx.err << "merge: " << *problem << "\n";
        return ExitCode::harness_error;
    }
    if (const auto* s = same_scenario ? &*same_scenario : nullptr) {
        policy.blocking_causes = s->gate.blocking_causes;
        policy.max_evidence_age = s->gate.max_evidence_age;
        if (!s->gate.baseline.empty()) {
            if (auto b = gate::load_baseline(s->gate.baseline)) baseline = std::move(*b);
        }
    } else {
        notes.push_back(fmt::format("scenario {} is not available unchanged: default gate policy", scen_path));
    }
    policy.baseline = baseline ? &*baseline : nullptr;

    util::SecretRegistry secrets;  // nothing known: the audit looks for secret-shaped strings
    evidence::BundleOptions bopts;
    bopts.root = o.out;
    bopts.scenario = name;
    bopts.label = label;
    auto writer = evidence::BundleWriter::create(bopts, secrets);
    if (!writer) {
        ctx.err << "merge: " << writer.error().message << "\n";
        return ExitCode::harness_error;
    }
    std::vector<runner::CellReport> reports;
    std::vector<gate::CellDecision> cell_decisions;
    json::array merged_cells;
    for (auto& [idx, entry] : cells) {
        const auto& report = entry.report;
        std::error_code ec;
        fs::copy(entry.src, writer->dir() / entry.src.filename(), fs::copy_options::recursive, ec);
        if (ec) {
            ctx.err << fmt::format("merge: copy {}: {}\n", entry.src.string(), ec.message());
            return ExitCode::harness_error;
        }
        // Each cell keeps the decision its shard made (recorded in its 21-summary.json).
        cell_decisions.push_back(report.gate_decision());
        json::object entry_json{
            {"index", idx},
            {"cell", report.cell.id},
            {"mode", scenario::to_string(report.cell.mode)},
            {"pack", report.cell.pack},
            {"provider", report.cell.provider},
            {"expected_cause",
             report.cell.expected_cause ? json::value(classify::to_string(*report.cell.expected_cause)) : nullptr}};
        // The shard's plan travels with the cell, so verify checks the merged bundle the same way.
        if (!entry.plan.is_null()) entry_json["artifacts"] = entry.plan;
        merged_cells.push_back(std::move(entry_json));
        reports.push_back(report);
    }
    std::optional<std::chrono::seconds> age;
    if (auto t = parse_iso(oldest_start)) age = std::chrono::seconds(std::time(nullptr) - *t);
    auto decision = gate::decide_run(std::move(cell_decisions), policy, age);
    for (auto& n : notes) decision.notes.push_back(std::move(n));

    runner::RunFacts facts;
    facts.scenario_name = name;
    facts.scenario_path = scen_path;
    facts.scenario_sha256 = scen_sha;
    facts.label = label;
    facts.host_kind = fr.host_kind.empty() ? "stub" : fr.host_kind;
    facts.host_url = fr.host_url;
    facts.started_at = oldest_start;
    facts.ended_at = runner::now_iso_with_offset();
    facts.argv = {"crm-accept", "merge"};
    for (const auto& i : o.inputs) facts.argv.push_back(i);
    json::object matrix;
    if (const auto* m = util::find(fr.json, "matrix"); m && m->is_object()) matrix = m->as_object();
    matrix["cells_selected"] = merged_cells;
    // Coverage was checked: the merged bundle stands for the unsharded run of the same --only.
    matrix["selection"] = json::object{{"only", shards.front().run.only}, {"shard", ""}, {"rerun_failed", ""}};
    json::array from;
    for (const auto& i : o.inputs) from.emplace_back(i);
    matrix["merged_from"] = std::move(from);
    facts.matrix = std::move(matrix);
    int exit_code = to_int(decision.exit_code);
    auto summary = runner::to_run_summary(facts, reports, decision, exit_code);
    if (auto r = writer->begin(summary); !r) {
        ctx.err << "merge: " << r.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto fin = writer->finalize(summary, true);
    if (!fin) {
        ctx.err << "merge: " << fin.error().message << "\n";
        return ExitCode::harness_error;
    }
    summary = fin->summary;  // says so when the merged bundle fails verify's checks
    if (o.json) {
        auto s = evidence::summary_json(summary, "complete");
        s["bundle"] = writer->dir().string();
        if (auto* arr = s.if_contains("cells"); arr && arr->is_array()) {
            for (std::size_t i = 0; i < arr->as_array().size() && i < reports.size(); ++i)
                if (arr->as_array()[i].is_object()) arr->as_array()[i].as_object()["cell"] = reports[i].cell.id;
        }
        ctx.out << util::pretty(s);
    } else {
        for (const auto& c : reports)
            ctx.out << fmt::format("{:<36} {}\n", c.cell.id, classify::to_string(c.classification.cause));
        ctx.out << fmt::format("gate: {} (exit {})\nbundle: {}\n", summary.gate.passed ? "PASSED" : "FAILED",
                               summary.exit_code, writer->dir().string());
    }
    if (!fin->passed()) {
        for (const auto& line : fin->check.problems()) ctx.err << "merge: bundle check: " << line << "\n";
        ctx.err << "merge: the merged bundle does not pass verify; do not share it\n";
        return ExitCode::audit_failed;
    }
    return decision.exit_code;
}

}  // namespace

void register_merge(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<MergeOptions>();
    auto* cmd =
        app.add_subcommand("merge", "Join shard bundles of one scenario into one bundle (re-gated, re-manifested)");
    cmd->add_option("bundles", opts->inputs, "Shard bundles")->required();
    cmd->add_option("--out", opts->out, "Bundle root directory for the merged bundle")->capture_default_str();
    cmd->add_option("--label", opts->label, "Label of the merged bundle (default: the shards' label)");
    cmd->add_flag("--json", opts->json, "Print the merged summary as JSON");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return merge(*opts, ctx); }; });
}

}  // namespace crm::harness
