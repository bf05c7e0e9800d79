#include "harness/session/merge_session.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <expected>
#include <map>
#include <optional>
#include <ranges>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/clock.hpp"
#include "harness/evidence/verify.hpp"
#include "harness/gate/baseline.hpp"
#include "harness/gate/gate.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "harness/scenario/scenario_parser.hpp"
#include "harness/session/shard_coverage.hpp"

namespace crm::harness::session {

namespace {

namespace fs = std::filesystem;
namespace json = util::json;

struct Refused {
    ExitCode code = ExitCode::harness_error;
    std::string message;
};
template <class T>
using Step = std::expected<T, Refused>;

Refused refused(std::string message) { return {ExitCode::harness_error, "merge: " + std::move(message)}; }

Refused refused(const evidence::Refusal& r) {
    return {r.kind == evidence::RefusalKind::untrustworthy ? ExitCode::audit_failed : ExitCode::harness_error,
            "merge: " + r.message};
}

struct MergedCell {
    fs::path src;               // the cell folder in its shard
    runner::CellReport report;  // read back through the bundle model, with its shard's decision
    json::value plan;           // the shard's recorded artifact plan for the cell
};

struct Shards {
    evidence::RunRecord first;  // the first input's 00-run.json: the reference scenario
    std::vector<evidence::EarlierBundle> bundles;
    std::map<std::size_t, MergedCell> cells;  // by matrix index
    std::string oldest_start;
};

// The gate policy of the merged run; `baseline` is pointed at when the policy is taken.
struct MergeGate {
    gate::GatePolicyInput input;
    std::optional<gate::Baseline> baseline;
    std::vector<std::string> notes;
};

Step<void> add_shard(const std::string& in, Shards& into) {
    fs::path dir(in);
    auto shard = evidence::read_earlier_bundle(dir, {into.first.scenario_sha256, /*accept_incomplete=*/false});
    if (!shard) return std::unexpected(refused(shard.error()));
    auto bundle = evidence::Bundle::open(dir, shard->run);  // 00-run.json is read once
    if (!bundle) return std::unexpected(refused(bundle.error().message));
    const auto& started = bundle->run.started_at;
    if (into.oldest_start.empty() || started < into.oldest_start) into.oldest_start = started;
    for (const auto& bc : bundle->cells) {
        if (!bc.folder_present) continue;
        auto src = dir / bc.plan.id;
        if (!bc.summary)
            return std::unexpected(refused(fmt::format("{}: the cell has no 21-summary.json", src.string())));
        if (auto it = into.cells.find(bc.plan.index); it != into.cells.end()) {
            return std::unexpected(refused(
                fmt::format("cell {} appears in {} and {}", bc.plan.id, it->second.src.parent_path().string(), in)));
        }
        into.cells.emplace(bc.plan.index, MergedCell{src, runner::report_from_bundle(bc), bc.plan.artifacts});
    }
    into.bundles.push_back(std::move(*shard));
    return {};
}

Step<Shards> read_shards(const std::vector<std::string>& inputs) {
    auto first = evidence::read_bundle_record(inputs.front());
    if (!first) return std::unexpected(refused(first.error()));
    Shards shards;
    shards.first = std::move(first->run);
    for (const auto& in : inputs) {
        if (auto added = add_shard(in, shards); !added) return std::unexpected(std::move(added.error()));
    }
    const auto& front = shards.bundles.front();
    for (const auto& sh : shards.bundles) {
        if (sh.run.only != front.run.only) {
            return std::unexpected(
                refused(fmt::format("{} was run with --only '{}', {} with --only '{}': not shards of one run",
                                    front.dir.string(), front.run.only, sh.dir.string(), sh.run.only)));
        }
    }
    return shards;
}

// Coverage first (the union must be the run), then the scenario's gate policy when the scenario
// is still the same file.
Step<MergeGate> check_shards(const Shards& shards, const util::EnvLookup& env) {
    const auto& scen_path = shards.first.scenario_path;
    auto loaded = scenario::load_scenario(scen_path, env);
    std::optional<scenario::Scenario> same_scenario;
    if (loaded && loaded->sha256 == shards.first.scenario_sha256) same_scenario = std::move(*loaded);
    std::map<std::size_t, std::string> present;
    for (const auto& [idx, entry] : shards.cells) present.emplace(idx, entry.report.cell.id);
    if (auto problem = coverage_problem(shards.bundles, present, same_scenario, scen_path))
        return std::unexpected(refused(*problem));
    MergeGate g;
    if (const auto* s = same_scenario ? &*same_scenario : nullptr) {
        g.input.blocking_causes = s->gate.blocking_causes;
        g.input.max_evidence_age = s->gate.max_evidence_age;
        if (!s->gate.baseline.empty()) {
            if (auto b = gate::load_baseline(s->gate.baseline)) g.baseline = std::move(*b);
        }
    } else {
        g.notes.push_back(fmt::format("scenario {} is not available unchanged: default gate policy", scen_path));
    }
    return g;
}

// The cell's entry in the merged matrix; the shard's plan travels with the cell, so verify
// checks the merged bundle the same way.
json::object cell_entry(const MergedCell& entry) {
    json::object out = matrix::to_json(entry.report.cell);
    if (!entry.plan.is_null()) out["artifacts"] = entry.plan;
    return out;
}

runner::RunFacts merged_facts(const MergeRequest& request, const Shards& shards, const std::string& name,
                              const std::string& label, json::array merged_cells) {
    const auto& fr = shards.first;
    runner::RunFacts facts;
    facts.scenario_name = name;
    facts.scenario_path = fr.scenario_path;
    facts.scenario_sha256 = fr.scenario_sha256;
    facts.label = label;
    facts.host_kind = fr.host_kind.empty() ? "stub" : fr.host_kind;
    facts.host_url = fr.host_url;
    facts.started_at = shards.oldest_start;
    facts.ended_at = runner::now_iso_with_offset();
    facts.argv = {"crm-accept", "merge"};
    for (const auto& i : request.inputs) facts.argv.push_back(i);
    json::object matrix;
    if (const auto* m = util::find(fr.json, "matrix"); m && m->is_object()) matrix = m->as_object();
    matrix["cells_selected"] = std::move(merged_cells);
    // Coverage was checked: the merged bundle stands for the unsharded run of the same --only.
    matrix["selection"] = json::object{{"only", shards.bundles.front().run.only}, {"shard", ""}, {"rerun_failed", ""}};
    json::array from;
    for (const auto& i : request.inputs) from.emplace_back(i);
    matrix["merged_from"] = std::move(from);
    facts.matrix = std::move(matrix);
    return facts;
}

Step<MergeResult> write_merged(const MergeRequest& request, const Shards& shards, const MergeGate& g) {
    const auto& fr = shards.first;
    std::string name = fr.scenario_name.empty() ? "merged" : fr.scenario_name;
    std::string label = !request.label.empty() ? request.label : fr.label;
    util::SecretRegistry secrets;  // nothing known: the audit looks for secret-shaped strings
    evidence::BundleOptions bopts;
    bopts.root = request.out;
    bopts.scenario = name;
    bopts.label = label;
    bopts.started = evidence::now();
    auto writer = evidence::BundleWriter::create(bopts, secrets);
    if (!writer) return std::unexpected(refused(writer.error().message));
    MergeResult out;
    std::vector<gate::CellDecision> cell_decisions;
    json::array merged_cells;
    for (const auto& entry : shards.cells | std::views::values) {
        std::error_code ec;
        fs::copy(entry.src, writer->dir() / entry.src.filename(), fs::copy_options::recursive, ec);
        if (ec) return std::unexpected(refused(fmt::format("copy {}: {}", entry.src.string(), ec.message())));
        // Each cell keeps the decision its shard made (recorded in its 21-summary.json).
        cell_decisions.push_back(entry.report.gate_decision());
        merged_cells.push_back(cell_entry(entry));
        out.cells.push_back(entry.report);
    }
    std::optional<std::chrono::seconds> age;
    if (auto t = evidence::parse_iso8601(shards.oldest_start))
        age = std::chrono::duration_cast<std::chrono::seconds>(evidence::now() - *t);
    auto policy = g.input;
    policy.baseline = g.baseline ? &*g.baseline : nullptr;
    auto decision = gate::decide_run(std::move(cell_decisions), policy, age);
    for (const auto& n : g.notes) decision.notes.push_back(n);
    auto facts = merged_facts(request, shards, name, label, std::move(merged_cells));
    auto summary = runner::to_run_summary(facts, out.cells, decision, to_int(decision.exit_code));
    if (auto r = writer->begin(summary); !r) return std::unexpected(refused(r.error().message));
    auto fin = writer->finalize(summary, true);
    if (!fin) return std::unexpected(refused(fin.error().message));
    out.summary = std::move(fin->summary);  // says so when the merged bundle fails verify's checks
    out.check = std::move(fin->check);
    out.bundle_dir = writer->dir();
    out.exit_code = out.check.trustworthy() ? decision.exit_code : ExitCode::audit_failed;
    out.finished = true;
    return out;
}

}  // namespace

MergeResult merge_bundles(const MergeRequest& request, const util::EnvLookup& env) {
    auto merged = [&]() -> Step<MergeResult> {
        if (request.inputs.empty()) return std::unexpected(Refused{ExitCode::usage, "merge: give at least one bundle"});
        auto shards = read_shards(request.inputs);
        if (!shards) return std::unexpected(std::move(shards.error()));
        auto g = check_shards(*shards, env);
        if (!g) return std::unexpected(std::move(g.error()));
        return write_merged(request, *shards, *g);
    }();
    if (merged) return std::move(*merged);
    MergeResult out;
    out.exit_code = merged.error().code;
    out.message = std::move(merged.error().message);
    return out;
}

}  // namespace crm::harness::session
