// `crm-accept plan [SCENARIO]`: the expanded matrix and every numbered artifact each cell will
// write, plus the redaction rules in force. Reads files only: no stub, no network.
#include <fmt/format.h>

#include <ostream>

#include "harness/ci/auto_shard.hpp"
#include "harness/cli/command.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/runner/runner.hpp"
#include "harness/session/run_setup.hpp"

namespace crm::harness {

namespace {

namespace json = util::json;

struct PlanOptions {
    std::string scenario;
    std::string only;
    std::string shard;
    unsigned jobs = 0;
    bool json = false;
};

constexpr const char* k_redaction =
    "every registered secret (admin key, admin/user passwords, user API keys, upstream keys, JWTs) is replaced "
    "by [REDACTED] before any byte is written; header dumps redact Authorization, x-api-key, x-goog-api-key, "
    "Cookie, Set-Cookie; the finished bundle is audited for registered secrets and secret-shaped strings "
    "(sk- keys, admin-<hex>, Bearer <token>, JWTs, and their JSON-escaped forms) and any hit fails the run "
    "with exit 4";

ExitCode plan(const PlanOptions& o, CommandContext& ctx) {
    std::string path = o.scenario;
    if (path.empty()) {
        auto found = session::default_scenario_path(ctx.env);
        if (!found) {
            ctx.err << "crm-accept plan: " << found.error().message << "\n";
            return ExitCode::harness_error;
        }
        path = std::move(*found);
    }
    std::string shard = o.shard;
    if (ci::is_auto_shard(shard)) {
        auto resolved = ci::resolve_auto_shard(shard, ctx.env);
        if (!resolved) {
            ctx.err << "crm-accept plan: " << resolved.error().message << "\n";
            return ExitCode::usage;
        }
        shard = resolved->text();
    }
    auto p = session::prepare(path, ctx.env, {o.only, shard, ""}, "");
    if (!p) {
        ctx.err << p.error().message << "\n";
        return p.error().kind == session::PrepareFailure::usage ? ExitCode::usage : ExitCode::harness_error;
    }
    const auto& s = p->scenario;
    if (o.json) {
        json::object root;
        root["schema_version"] = 1;
        root["scenario"] = json::object{{"name", s.name}, {"path", s.source_path}, {"sha256", s.sha256}};
        root["jobs"] = runner::effective_jobs(o.jobs, p->cells.size());
        root["redaction"] = k_redaction;
        json::array cells;
        for (const auto& c : p->cells) {
            auto cell = matrix::to_json(c);
            cell["host"] = c.host_name;
            cell["artifacts"] = runner::plan_to_json(runner::plan_cell(c, s.steps));
            cells.push_back(std::move(cell));
        }
        root["cells"] = std::move(cells);
        root["bundle_files"] =
            json::array{"00-run.json", "summary.json", "summary.md", "junit.xml", "report.html", "MANIFEST.sha256"};
        ctx.out << util::pretty(root);
        return ExitCode::gate_passed;
    }
    ctx.out << fmt::format("scenario {} ({}), sha256 {}\n", s.name, s.source_path, s.sha256);
    for (std::size_t h = 0; h < s.hosts.size(); ++h) {
        const auto& host = s.hosts[h];
        ctx.out << fmt::format("host {}: {} {}\n", host.name, scenario::to_string(host.kind),
                               host.kind == scenario::HostKind::stub ? "profile " + host.profile : host.url);
    }
    ctx.out << fmt::format("{} of {} cells, {} in parallel\n\n", p->cells.size(), p->all_cells.size(),
                           runner::effective_jobs(o.jobs, p->cells.size()));
    for (const auto& c : p->cells) {
        ctx.out << fmt::format(
            "[{}] {}  ({}/{}{}{})\n", c.index, c.id, c.pack, c.provider,
            c.profile.empty() ? "" : ", profile " + c.profile,
            c.expected_cause ? ", expects " + std::string(classify::to_string(*c.expected_cause)) : "");
        for (const auto& st : runner::plan_cell(c, s.steps)) {
            std::string files;
            for (const auto& f : st.files) files += (files.empty() ? "" : ", ") + c.id + "/" + f;
            ctx.out << fmt::format("    {:02} {:<18} {}{}\n", st.number, st.step, files,
                                   st.enabled ? "" : "  (skipped: " + st.skip_reason + ")");
        }
    }
    ctx.out << "\nbundle: 00-run.json, <cell>/..., summary.json, summary.md, junit.xml, report.html, MANIFEST.sha256 "
               "(last)\n";
    ctx.out << "redaction: " << k_redaction << "\n";
    return ExitCode::gate_passed;
}

}  // namespace

void register_plan(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<PlanOptions>();
    auto* cmd =
        app.add_subcommand("plan", "Print the expanded matrix and every artifact each cell will write (no network)");
    cmd->add_option("scenario", opts->scenario, "Scenario file (default: scenarios/default.json)");
    cmd->add_option("--only", opts->only, "Only cells whose id matches (globs or substrings, comma separated)");
    cmd->add_option("--shard", opts->shard, "Shard K of N (K/N), or auto / auto/N as `run --shard` takes it");
    cmd->add_option("--jobs,-j", opts->jobs, "Parallelism the run would use")->check(CLI::Range(0u, 64u));
    cmd->add_flag("--json", opts->json, "Machine-readable plan");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return plan(*opts, ctx); }; });
}

}  // namespace crm::harness
