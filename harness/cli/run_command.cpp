// `crm-accept run [SCENARIO]`: parses its options, runs the sequence (session::RunSession: stub
// hosts, the matrix in parallel, gate, a bundle checked exactly as `verify` does) with progress
// on the terminal, then prints what the engine state still records, a per-cell table (or
// --json) and any bundle check failure. The exit code is the session's: the gate's, unless the
// run was interrupted (130), the input was invalid (3 / 64) or the bundle fails verify's checks (4).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <ostream>
#include <sstream>

#include "harness/cli/command.hpp"
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
};

// Progress: one line per finished cell always (on stderr when --json), step lines on a TTY.
// Elapsed times count from the first cell's start.
class ProgressPrinter final : public runner::RunEvents {
  public:
    ProgressPrinter(std::ostream& os, bool tty, bool color, bool enabled)
        : m_os(os), m_tty(tty), m_color(color), m_enabled(enabled), m_t0(std::chrono::steady_clock::now()) {}

    void cell_started(const matrix::Cell& /*cell*/) override {
        std::lock_guard lock(m_mutex);
        if (m_started) return;
        m_started = true;
        m_t0 = std::chrono::steady_clock::now();
    }

    void step_started(const matrix::Cell& cell, int number, std::string_view step) override {
        if (!m_enabled || !m_tty) return;
        std::lock_guard lock(m_mutex);
        m_os << fmt::format("\r\033[K[{:6.1f}s] {} {:02} {}", elapsed(), cell.id, number, step) << std::flush;
    }
    void cell_finished(const runner::CellReport& r) override {
        if (!m_enabled) return;
        std::lock_guard lock(m_mutex);
        if (m_tty) m_os << "\r\033[K";
        std::string cause = r.started ? std::string(classify::to_string(r.classification.cause)) : "not run";
        if (m_color) {
            const auto v = r.classification.verdict;
            const char* col = v == classify::Verdict::pass   ? "\033[32m"
                              : v == classify::Verdict::fail ? "\033[31m"
                                                             : "\033[33m";
            cause = fmt::format("{}{}\033[0m", col, cause);
        }
        m_os << fmt::format("[{:6.1f}s] done {} -> {}\n", elapsed(), r.cell.id, cause) << std::flush;
    }

  private:
    double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count(); }
    std::ostream& m_os;
    bool m_tty, m_color, m_enabled;
    bool m_started = false;
    std::chrono::steady_clock::time_point m_t0;
    std::mutex m_mutex;
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
    session::RunRequest request{o.scenario.empty() ? session::default_scenario_path(ctx.env) : o.scenario,
                                o.out,
                                {o.only, o.shard, o.rerun_failed},
                                o.jobs,
                                o.label,
                                o.rules,
                                argv};
    auto curl = probes::make_curl_transport();
    std::ostream& progress_os = o.json ? ctx.err : ctx.out;
    ProgressPrinter printer(progress_os, ctx.stdout_is_tty && !o.json, ctx.color && !o.json,
                            !o.quiet && ctx.stdout_is_tty);
    session::RunSession run_session(std::move(request),
                                    session::RunDeps{ctx.env, *curl, printer, ctx.interrupted, ctx.aborted});
    const auto r = run_session.run();
    print_state(ctx.err, r.state);
    if (!r.message.empty()) ctx.err << r.message << "\n";
    if (!r.finished) return r.exit_code;
    const auto& secrets = run_session.secrets();
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
    cmd->add_option("--shard", opts->shard, "Run shard K of N (K/N), deterministic by matrix index");
    cmd->add_option("--rerun-failed", opts->rerun_failed, "Re-run only the cells that did not pass in BUNDLE");
    cmd->add_option("--label", opts->label, "Label appended to the bundle name");
    cmd->add_option("--rules", opts->rules, "Classifier rule table (default: the built-in rules/causes.json)");
    cmd->add_flag("--quiet,-q", opts->quiet, "No progress output");
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
