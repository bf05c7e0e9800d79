// `crm-accept status [--root DIR] [--budget SIZE] [--enforce] [--max-age DUR] [--json]`: the
// evidence root at a glance (catalog/root_status.hpp): its size against a budget (default 2G),
// bundle counts by trust, the bundles that prove nothing, and the board's stalest row.
// Exit: 0; 5 with --enforce when over budget (a CI guard); 3 the root is missing or unreadable;
// 64 usage.
#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <string>

#include "harness/catalog/board_render.hpp"
#include "harness/catalog/byte_size.hpp"
#include "harness/catalog/root_status.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/evidence_root.hpp"
#include "harness/scenario/duration.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

namespace json = util::json;

struct StatusCommandOptions {
    std::string root = cli::k_default_evidence_root;
    std::string budget = "2G";
    std::string max_age;
    bool enforce = false;
    bool json = false;
};

json::object status_json(const catalog::RootStatus& s, const std::filesystem::path& root) {
    json::array not_trusted;
    for (const auto& u : s.not_trusted)
        not_trusted.emplace_back(
            json::object{{"name", u.name}, {"trust", catalog::to_string(u.trust)}, {"reason", u.reason}});
    json::value stalest = nullptr;
    if (s.stalest) {
        const auto& r = *s.stalest;
        stalest = json::object{{"host_key", r.host_key},
                               {"mode", scenario::to_string(r.mode)},
                               {"provider", r.provider},
                               {"bundle", r.bundle},
                               {"proven_at", r.proven_at},
                               {"age_seconds", r.age.count()},
                               {"max_age_seconds", r.max_age.count()},
                               {"stale", r.stale}};
    }
    return json::object{{"schema_version", 1},
                        {"kind", "crm-accept.status"},
                        {"root", root.string()},
                        {"size_bytes", s.size_bytes},
                        {"budget_bytes", s.budget_bytes},
                        {"over_budget", s.over_budget},
                        {"bundles", json::object{{"total", s.bundles},
                                                 {"trusted", s.trusted},
                                                 {"incomplete", s.incomplete},
                                                 {"untrusted", s.untrusted},
                                                 {"unreadable", s.unreadable}}},
                        {"not_trusted", std::move(not_trusted)},
                        {"stalest", std::move(stalest)}};
}

void print_status(const catalog::RootStatus& s, const std::filesystem::path& root, CommandContext& ctx) {
    ctx.out << fmt::format("evidence root {}: {} of {} budget{}\n", root.string(),
                           catalog::format_byte_size(s.size_bytes), catalog::format_byte_size(s.budget_bytes),
                           s.over_budget ? " (OVER BUDGET)" : "");
    ctx.out << fmt::format("bundles: {} ({} trusted, {} incomplete, {} untrusted, {} unreadable)\n", s.bundles,
                           s.trusted, s.incomplete, s.untrusted, s.unreadable);
    for (const auto& u : s.not_trusted)
        ctx.out << fmt::format("  {}  {}{}\n", u.name, catalog::to_string(u.trust),
                               u.reason.empty() ? "" : ": " + u.reason);
    if (s.stalest) {
        const auto& r = *s.stalest;
        ctx.out << fmt::format("stalest board cell: {} {} {}: proven {} ago by {} (max age {}){}\n", r.host_key,
                               scenario::to_string(r.mode), r.provider, scenario::format_duration(r.age), r.bundle,
                               scenario::format_duration(r.max_age), r.stale ? ", STALE" : "");
    } else {
        ctx.out << "stalest board cell: none (no trusted proof)\n";
    }
}

ExitCode run_status(const StatusCommandOptions& opts, CommandContext& ctx) {
    bool bad = false;
    auto budget = cli::size_flag("status", "--budget", opts.budget, ctx, bad);
    auto max_age = cli::duration_flag("status", "--max-age", opts.max_age, ctx, bad);
    if (bad) return ExitCode::usage;
    auto catalog = cli::open_root("status", opts.root, false, ctx);
    if (!catalog) return ExitCode::harness_error;
    const auto status = catalog::root_status(catalog->bundles(), cli::board_of(*catalog, max_age),
                                             budget.value_or(catalog::k_default_budget_bytes));
    if (opts.json)
        ctx.out << util::pretty(status_json(status, catalog->root()));
    else
        print_status(status, catalog->root(), ctx);
    if (opts.enforce && status.over_budget) {
        ctx.err << fmt::format("crm-accept status: {} is over its budget: {} > {}\n", catalog->root().string(),
                               catalog::format_byte_size(status.size_bytes),
                               catalog::format_byte_size(status.budget_bytes));
        return ExitCode::over_budget;
    }
    return ExitCode::gate_passed;
}

}  // namespace

void register_status(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<StatusCommandOptions>();
    auto* cmd = app.add_subcommand("status",
                                   "The evidence root at a glance: size against a budget, trust counts, stalest cell");
    cmd->add_option("--root", opts->root, "Evidence root")->capture_default_str();
    cmd->add_option("--budget", opts->budget, "Size budget of the root (e.g. 500M, 2G)")->capture_default_str();
    cmd->add_option("--max-age", opts->max_age, "Max evidence age for the stalest cell, as board --max-age");
    cmd->add_flag("--enforce", opts->enforce, "Exit 5 when the root is over its budget");
    cmd->add_flag("--json", opts->json, "Machine-readable status");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_status(*opts, ctx); }; });
}

}  // namespace crm::harness
