// `crm-accept prune [--root DIR] (--keep N | --max-age DUR | --max-size SIZE)... [--grace DUR]
// [--baseline FILE]... [--apply] [--json]`: keeps an evidence root within a budget
// (catalog/prune_plan.hpp). A dry run unless --apply: it prints every bundle that would go and the
// rule that selects it, every selected bundle that is protected and why, and the space freed.
// --apply deletes exactly the printed removals (catalog/prune_apply.hpp), then refreshes the index.
// Baselines protect the bundles they name: every --baseline FILE, and the gate.baseline of each
// bundle's scenario when that file can be read.
// Exit: 0; 3 the root is missing, a --baseline cannot be read, or a deletion failed; 64 usage.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "harness/catalog/baseline_refs.hpp"
#include "harness/catalog/byte_size.hpp"
#include "harness/catalog/prune_apply.hpp"
#include "harness/catalog/prune_plan.hpp"
#include "harness/catalog/scenario_gate.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/evidence_root.hpp"
#include "harness/evidence/clock.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

namespace json = util::json;

struct PruneCommandOptions {
    std::string root = cli::k_default_evidence_root;
    int keep = -1;
    std::string max_age, max_size, grace;
    std::vector<std::string> baselines;
    bool apply = false;
    bool json = false;
};

// --baseline files must be readable (an operator named them); a scenario's own baseline is used
// when it can be read and otherwise reported as a note.
util::Result<std::map<std::string, std::string>> baseline_refs(const PruneCommandOptions& opts,
                                                               const catalog::Catalog& catalog,
                                                               std::vector<std::string>& notes) {
    std::map<std::string, std::string> refs;
    for (const auto& b : opts.baselines) CRM_TRY_VOID(catalog::add_baseline_refs(b, refs));
    std::set<std::string> seen;
    catalog::ScenarioGates gates;
    for (const auto& b : catalog.bundles()) {
        const auto& gate = gates.of_bundle(b.dir);
        if (!gate || gate->baseline.empty() || !seen.insert(gate->baseline.string()).second) continue;
        if (auto added = catalog::add_baseline_refs(gate->baseline, refs); !added)
            notes.push_back(fmt::format("scenario baseline not read: {}", added.error().message));
    }
    return refs;
}

json::object plan_json(const catalog::PrunePlan& plan, const catalog::Catalog& catalog, bool applied,
                       const std::set<std::string>& failed, const std::vector<std::string>& notes) {
    json::array items;
    for (const auto& i : plan.items) {
        json::array rules, protections;
        for (const auto& r : i.rules) rules.emplace_back(r);
        for (const auto& p : i.protections) protections.emplace_back(p);
        json::object o{{"name", i.name},
                       {"action", catalog::to_string(i.action)},
                       {"trust", catalog::to_string(i.trust)},
                       {"started_at", i.started_at},
                       {"size_bytes", i.size_bytes},
                       {"rules", std::move(rules)},
                       {"protections", std::move(protections)}};
        if (applied && i.action == catalog::PruneAction::remove) o["deleted"] = !failed.contains(i.name);
        items.emplace_back(std::move(o));
    }
    json::array note_list;
    for (const auto& n : notes) note_list.emplace_back(n);
    return json::object{{"schema_version", 1},
                        {"kind", "crm-accept.prune"},
                        {"root", catalog.root().string()},
                        {"applied", applied},
                        {"total_bytes", plan.total_bytes},
                        {"freed_bytes", plan.freed_bytes},
                        {"remaining_bytes", plan.remaining_bytes},
                        {"still_over_size", plan.still_over_size},
                        {"bundles", std::move(items)},
                        {"notes", std::move(note_list)}};
}

void print_plan(const catalog::PrunePlan& plan, bool applied, const std::set<std::string>& failed,
                const std::vector<std::string>& notes, CommandContext& ctx) {
    std::size_t gone = 0;
    for (const auto& i : plan.items) {
        if (i.action == catalog::PruneAction::remove) {
            const char* verb = !applied ? "would remove" : failed.contains(i.name) ? "NOT removed" : "removed";
            ctx.out << fmt::format("{} {} ({}, {}): {}\n", verb, i.name, catalog::format_byte_size(i.size_bytes),
                                   catalog::to_string(i.trust), fmt::join(i.rules, "; "));
            ++gone;
        } else if (i.action == catalog::PruneAction::protect) {
            ctx.out << fmt::format("kept: protected ({}) {}\n", fmt::join(i.protections, "; "), i.name);
        }
    }
    for (const auto& n : notes) ctx.out << "note: " << n << "\n";
    ctx.out << fmt::format("{} bundle(s) {}, {} freed of {} ({} remain){}\n", gone, applied ? "removed" : "would go",
                           catalog::format_byte_size(plan.freed_bytes), catalog::format_byte_size(plan.total_bytes),
                           catalog::format_byte_size(plan.remaining_bytes),
                           applied ? "" : "; dry run: nothing deleted (use --apply)");
    if (plan.still_over_size) ctx.out << "still over --max-size: the protected bundles alone exceed it\n";
}

ExitCode run_prune(const PruneCommandOptions& opts, CommandContext& ctx) {
    bool bad = false;
    catalog::PruneOptions options;
    options.max_age = cli::duration_flag("prune", "--max-age", opts.max_age, ctx, bad);
    options.max_size = cli::size_flag("prune", "--max-size", opts.max_size, ctx, bad);
    if (auto grace = cli::duration_flag("prune", "--grace", opts.grace, ctx, bad)) options.grace = *grace;
    if (opts.keep >= 0) options.keep = static_cast<std::size_t>(opts.keep);
    if (bad) return ExitCode::usage;
    if (!options.keep && !options.max_age && !options.max_size) {
        ctx.err << "crm-accept prune: give at least one rule: --keep N, --max-age DUR or --max-size SIZE\n";
        return ExitCode::usage;
    }
    auto catalog = cli::open_root("prune", opts.root, false, ctx);
    if (!catalog) return ExitCode::harness_error;
    std::vector<std::string> notes;
    auto refs = baseline_refs(opts, *catalog, notes);
    if (!refs) {
        ctx.err << "crm-accept prune: " << refs.error().message << "\n";
        return ExitCode::harness_error;
    }
    options.baseline_refs = std::move(*refs);
    options.now = evidence::now();
    const auto plan = catalog::plan_prune(catalog->bundles(), cli::board_of(*catalog, std::nullopt), options);

    std::set<std::string> failed;
    if (opts.apply) {
        for (const auto* item : plan.removals()) {
            if (auto removed = catalog::remove_bundle(catalog->root(), item->dir); !removed) {
                ctx.err << "crm-accept prune: " << removed.error().message << "\n";
                failed.insert(item->name);
            }
        }
        // The index forgets the removed folders on the next open; do it now, so it is never stale.
        if (!cli::open_root("prune", opts.root, false, ctx)) return ExitCode::harness_error;
    }
    if (opts.json)
        ctx.out << util::pretty(plan_json(plan, *catalog, opts.apply, failed, notes));
    else
        print_plan(plan, opts.apply, failed, notes, ctx);
    return failed.empty() ? ExitCode::gate_passed : ExitCode::harness_error;
}

}  // namespace

void register_prune(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<PruneCommandOptions>();
    auto* cmd = app.add_subcommand(
        "prune", "Keep an evidence root within a budget (keep / age / size); a dry run unless --apply");
    cmd->add_option("--root", opts->root, "Evidence root")->capture_default_str();
    cmd->add_option("--keep", opts->keep, "Keep the newest N bundles per scenario and host")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-age", opts->max_age, "Remove bundles started longer ago than this (e.g. 30d)");
    cmd->add_option("--max-size", opts->max_size, "Remove the oldest bundles until the root is under this (e.g. 2G)");
    cmd->add_option("--grace", opts->grace, "Protect incomplete bundles younger than this (default 6h)");
    cmd->add_option("--baseline", opts->baselines, "A gate baseline whose bundles are protected (repeatable)");
    cmd->add_flag("--apply", opts->apply, "Delete the bundles the plan lists (default: dry run)");
    cmd->add_flag("--json", opts->json, "Print the plan as JSON");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_prune(*opts, ctx); }; });
}

}  // namespace crm::harness
