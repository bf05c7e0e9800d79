// `crm-accept run [SCENARIO]`: parses its options, runs the sequence (session::RunSession: stub
// hosts, the matrix in parallel, gate, a bundle checked exactly as `verify` does) with progress
// on stderr (progress_printer.hpp), then prints what the engine state still records, a per-cell table (or
// --json) and any bundle check failure. The exit code is the session's: the gate's, unless the
// run was interrupted (130), the input was invalid (3 / 64) or the bundle fails verify's checks (4).
// Under CI it also writes the step summary, workflow commands and --dotenv (ci/ci_outputs.hpp).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "harness/ci/auto_shard.hpp"
#include "harness/ci/ci_outputs.hpp"
#include "harness/ci/workflow_commands.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/progress_printer.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/runner/runner.hpp"
#include "harness/session/run_session.hpp"
#include "probes/http/transport.hpp"
#include "util/secrets.hpp"

namespace crm::harness {

namespace {

namespace fs = std::filesystem;

struct RunOptions {
    std::string scenario;
    std::string out = "artifacts/real-host-acceptance";
    bool json = false;
    std::string only;
    unsigned jobs = 0;
    std::string shard;
    std::string rerun_failed;
    std::string label;
    std::string rules;
    bool quiet = false;
    std::string dotenv;
};

void print_table(std::ostream& os, const std::vector<runner::CellReport>& cells, const gate::GateDecision& gate,
                 bool interrupted, int exit_code, const fs::path& bundle, bool color) {
    os << fmt::format("{:<14} {:<12} {:<28} {:<20} {:>8}  {}\n", "mode", "provider", "cause", "gate", "elapsed",
                      "expected");
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto& c = cells[i];
        std::string gate_s = !c.started      ? "not run"
                             : c.interrupted ? "interrupted"
                                             : gate::to_string(gate.cells[i].outcome);
        std::string cause = c.started ? std::string(classify::to_string(c.classification.cause)) : "-";
        std::string line = fmt::format("{:<14} {:<12} {:<28} {:<20} {:>7.2f}s  {}", scenario::to_string(c.cell.mode),
                                       c.cell.provider, cause, gate_s, c.elapsed_ms / 1000.0,
                                       c.cell.expected_cause ? classify::to_string(*c.cell.expected_cause) : "-");
        if (color && c.started) {
            const char* col = gate.cells[i].passed ? "\033[32m" : "\033[31m";
            line = fmt::format("{}{}\033[0m", col, line);
        }
        os << line << "\n";
    }
    for (const auto& n : gate.notes) os << "note: " << n << "\n";
    os << fmt::format("gate: {} (exit {})\nbundle: {}\n",
                      interrupted   ? "INTERRUPTED"
                      : gate.passed ? "PASSED"
                                    : "FAILED",
                      exit_code, bundle.string());
}

// When the engine state is kept: why, what each real host still owns and how to recover it.
void print_state(std::ostream& err, const session::StateOutcome& st) {
    if (!st.kept) return;
    if (st.stopped_waiting) {
        err << "crm-accept run: stopped waiting on the host (second interrupt); the rollback did not finish\n";
    } else {
        err << fmt::format(
            "note: {} cells left resources on the host; the engine state is kept at {} "
            "(crm-accept engine status|rollback|recover --db {})\n",
            st.left_on_host, st.engine_state, st.engine_state);
    }
    if (st.unreadable) err << "crm-accept run: cannot read the engine state: " << *st.unreadable << "\n";
    for (const auto& h : st.owned) {
        err << fmt::format("still owned on {}:\n", h.url);
        for (const auto& l : h.lines) err << "  " << l << "\n";
        err << "recover with: " << h.recover_command << "\n";
    }
}

// summary.json as the bundle holds it, plus the bundle path, the audit's hit count and each
// cell's id and network waits (the critical path of the run; bench/matrix_overhead).
std::string run_json(const session::RunResult& r) {
    auto s = evidence::summary_json(r.summary, r.interrupted ? "incomplete" : "complete");
    s["bundle"] = r.bundle_dir.string();
    s["audit_hits"] = r.check.audit_hits.size();
    if (auto* cells = s.if_contains("cells"); cells && cells->is_array()) {
        auto& arr = cells->as_array();
        for (std::size_t i = 0; i < arr.size() && i < r.cells.size(); ++i) {
            if (!arr[i].is_object()) continue;
            arr[i].as_object()["cell"] = r.cells[i].cell.id;
            arr[i].as_object()["network_ms"] = r.cells[i].network_ms;
        }
    }
    return util::pretty(s);
}

ExitCode run(const RunOptions& o, CommandContext& ctx, const std::vector<std::string>& argv) {
    std::string shard = o.shard;
    if (ci::is_auto_shard(shard)) {
        auto resolved = ci::resolve_auto_shard(shard, ctx.env);
        if (!resolved) {
            ctx.err << "crm-accept run: " << resolved.error().message << "\n";
            return ExitCode::usage;
        }
        shard = resolved->text();
        if (!o.quiet) ctx.err << fmt::format("crm-accept run: shard {} ({})\n", shard, resolved->source);
    }
    const auto ci_request = ci::ci_request(ctx.env, o.dotenv);
    std::string scenario = o.scenario;
    if (scenario.empty()) {
        auto found = session::default_scenario_path(ctx.env);
        if (!found) {
            ctx.err << "crm-accept run: " << found.error().message << "\n";
            return ExitCode::harness_error;
        }
        scenario = std::move(*found);
    }
    session::RunRequest request{scenario, o.out, {o.only, shard, o.rerun_failed}, o.jobs, o.label, o.rules, argv};
    auto curl = probes::make_curl_transport();
    ProgressPrinter printer(ctx.err, ProgressStyle{!o.quiet, ctx.stderr_is_tty, ctx.stderr_color});
    session::RunSession run_session(std::move(request),
                                    session::RunDeps{ctx.env, *curl, printer, ctx.interrupted, ctx.aborted});
    const auto& secrets = run_session.secrets();
    printer.set_scrub([&secrets](std::string_view text) { return secrets.scrub(text); });
    // Workflow commands go to stdout, unless stdout is --json's (GitHub reads both streams).
    std::ostream& commands_os = o.json ? ctx.err : ctx.out;
    const auto r = [&] {
        HeartbeatThread heartbeat(printer);
        return run_session.run();
    }();
    print_state(ctx.err, r.state);
    if (!r.message.empty()) ctx.err << secrets.scrub(r.message) << "\n";
    if (!r.finished) {
        if (ci_request.github_actions && !r.message.empty() && r.exit_code != ExitCode::gate_passed)
            commands_os << secrets.scrub(fmt::format("::error title=crm-accept run::{}\n", ci::escape_data(r.message)));
        return r.exit_code;
    }
    if (o.json) {
        ctx.out << secrets.scrub(run_json(r));
    } else {
        std::ostringstream table;
        print_table(table, r.cells, r.decision, r.interrupted, to_int(r.exit_code), r.bundle_dir, ctx.color);
        ctx.out << secrets.scrub(table.str());
    }
    if (!r.bundle_passed()) {
        for (const auto& line : r.check.problems()) ctx.err << secrets.scrub("bundle check: " + line) << "\n";
        ctx.err << (r.check.audit_hits.empty()
                        ? "bundle check FAILED: the bundle does not pass verify; do not share it\n"
                        : "audit FAILED: secrets reached the bundle; do not share it\n");
    }
    const auto problems = ci::publish(
        ci_request, r.summary, r.interrupted ? "incomplete" : "complete", r.bundle_dir,
        [&secrets](std::string_view text) { return secrets.scrub(text); }, commands_os);
    for (const auto& p : problems) ctx.err << "crm-accept run: warning: " << secrets.scrub(p) << "\n";
    return r.exit_code;
}

}  // namespace

void register_run(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<RunOptions>();
    auto argv = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("run", "Run a scenario matrix and write a dated evidence bundle");
    cmd->add_option("scenario", opts->scenario,
                    "Scenario file (default: scenarios/default.json against the built-in stub host)");
    cmd->add_option("--out", opts->out, "Bundle root directory")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print the run summary as JSON");
    cmd->add_option("--only", opts->only, "Only cells whose id matches (globs or substrings, comma separated)");
    cmd->add_option("--jobs,-j", opts->jobs, "Cells in parallel (default: all cells, at most 8)")
        ->check(CLI::Range(0u, 64u));
    cmd->add_option("--shard", opts->shard,
                    "Run shard K of N (K/N), deterministic by matrix index; auto or auto/N reads the CI's "
                    "parallel-job index (CRM_SHARD_INDEX/_TOTAL, CI_NODE_INDEX/_TOTAL, JOB_COMPLETION_INDEX)");
    cmd->add_option("--rerun-failed", opts->rerun_failed, "Re-run only the cells that did not pass in BUNDLE");
    cmd->add_option("--label", opts->label, "Label appended to the bundle name");
    cmd->add_option("--rules", opts->rules, "Classifier rule table (default: the built-in rules/causes.json)");
    cmd->add_flag("--quiet,-q", opts->quiet, "No progress output on stderr");
    cmd->add_option("--dotenv", opts->dotenv,
                    "Also write CRM_GATE, CRM_EXIT, CRM_BUNDLE, CRM_BUNDLE_NAME to FILE (GitLab dotenv report)");
    cmd->callback([opts, argv, &ctx, cmd] {
        argv->clear();
        argv->push_back("crm-accept");
        argv->push_back("run");
        for (const auto* o : cmd->get_options()) {
            if (o->count() == 0 || o->get_name() == "--help") continue;
            for (const auto& r : o->results()) argv->push_back(fmt::format("{}={}", o->get_name(), r));
        }
        ctx.action = [opts, argv, &ctx] { return run(*opts, ctx, *argv); };
    });
}

}  // namespace crm::harness
