// `crm-accept run [SCENARIO]`: resolve, start stubs, run the matrix in parallel, gate, write and
// audit the bundle, print a per-cell table (or --json). The exit code is the gate's, unless the
// run was interrupted (130), the input was invalid (3 / 64) or the audit found a secret (4).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <ostream>

#include "engine/store/state_store.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/runner/run_bundle.hpp"
#include "harness/runner/runner.hpp"
#include "probes/http/transport.hpp"
#include "util/random.hpp"
#include "util/version.hpp"

namespace crm::harness {

namespace {

namespace fs = std::filesystem;
namespace json = util::json;

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
class ProgressPrinter final : public runner::RunEvents {
public:
    ProgressPrinter(std::ostream& os, bool tty, bool color, bool enabled)
        : m_os(os), m_tty(tty), m_color(color), m_enabled(enabled), m_t0(std::chrono::steady_clock::now()) {}

    void step_started(const matrix::Cell& cell, int number, std::string_view step) override {
        if (!m_enabled || !m_tty) return;
        std::lock_guard lock(m_mutex);
        m_os << fmt::format("\r\033[K[{:6.1f}s] {} {:02} {}", elapsed(), cell.id, number, step) << std::flush;
    }
    void cell_finished(const runner::CellReport& r) override {
        if (!m_enabled) return;
        std::lock_guard lock(m_mutex);
        if (m_tty) m_os << "\r\033[K";
        std::string cause = r.started ? r.cause : "not run";
        if (m_color) {
            const char* col = r.verdict == "pass" ? "\033[32m" : r.verdict == "fail" ? "\033[31m" : "\033[33m";
            cause = fmt::format("{}{}\033[0m", col, cause);
        }
        m_os << fmt::format("[{:6.1f}s] done {} -> {}\n", elapsed(), r.cell.id, cause) << std::flush;
    }

private:
    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
    }
    std::ostream& m_os;
    bool m_tty, m_color, m_enabled;
    std::chrono::steady_clock::time_point m_t0;
    std::mutex m_mutex;
};

json::value run_json(const RunOptions& o, const cli::Prepared& p, const std::vector<runner::HostContext>& hosts,
                     const std::string& started, const std::string& finished, std::string_view status,
                     const std::vector<std::string>& argv) {
    json::object r;
    r["schema_version"] = 1;
    r["status"] = status;  // incomplete until finalize
    r["tool"] = json::object{{"name", "crm-accept"}, {"version", util::k_tool_version}, {"git_sha", util::k_git_sha}};
    r["scenario"] = json::object{{"name", p.scenario.name},
                                 {"path", p.scenario.source_path},
                                 {"sha256", p.scenario.sha256},
                                 {"label", p.scenario.label}};
    json::array hs;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        hs.push_back(json::object{{"name", p.scenario.hosts[i].name},
                                  {"kind", scenario::to_string(hosts[i].kind)},
                                  {"url", hosts[i].target.url},
                                  {"profile", p.scenario.hosts[i].profile}});
    }
    r["hosts"] = std::move(hs);
    json::array cells;
    for (const auto& c : p.cells) {
        cells.push_back(json::object{{"index", c.index},
                                     {"cell", c.id},
                                     {"mode", scenario::to_string(c.mode)},
                                     {"pack", c.pack},
                                     {"provider", c.provider},
                                     {"profile", c.profile},
                                     {"expected_cause", c.expected_cause ? json::value(*c.expected_cause) : nullptr}});
    }
    r["matrix"] = json::object{{"cells_total", p.all_cells.size()}, {"cells_selected", std::move(cells)}};
    r["selection"] = json::object{{"only", o.only}, {"shard", o.shard}, {"rerun_failed", o.rerun_failed}};
    r["jobs"] = runner::effective_jobs(o.jobs, p.cells.size());
    r["started_at"] = started;
    r["finished_at"] = finished;
    r["timezone"] = started.size() >= 6 ? started.substr(started.size() - 6) : "";
    json::array args;
    for (const auto& a : argv) args.emplace_back(a);
    r["argv"] = std::move(args);  // scrubbed on write like everything else
    return r;
}

void print_table(std::ostream& os, const runner::RunSummaryInput& in, const fs::path& bundle, bool color) {
    os << fmt::format("{:<14} {:<12} {:<28} {:<20} {:>8}  {}\n", "mode", "provider", "cause", "gate", "elapsed", "expected");
    for (std::size_t i = 0; i < in.cells.size(); ++i) {
        const auto& c = in.cells[i];
        std::string gate_s = !c.started ? "not run" : gate::to_string(in.gate.cells[i].outcome);
        std::string cause = c.started ? c.cause : "-";
        std::string line = fmt::format("{:<14} {:<12} {:<28} {:<20} {:>7.2f}s  {}", scenario::to_string(c.cell.mode),
                                       c.cell.provider, cause, gate_s, c.elapsed_ms / 1000.0,
                                       c.cell.expected_cause.value_or("-"));
        if (color && c.started) {
            const char* col = in.gate.cells[i].passed ? "\033[32m" : "\033[31m";
            line = fmt::format("{}{}\033[0m", col, line);
        }
        os << line << "\n";
    }
    for (const auto& n : in.gate.notes) os << "note: " << n << "\n";
    os << fmt::format("gate: {} (exit {})\nbundle: {}\n",
                      in.interrupted ? "INTERRUPTED" : in.gate.passed ? "PASSED" : "FAILED", in.exit_code,
                      bundle.string());
}

ExitCode run(const RunOptions& o, CommandContext& ctx, const std::vector<std::string>& argv) {
    std::string path = o.scenario.empty() ? cli::default_scenario_path(ctx.env) : o.scenario;
    auto prepared = cli::prepare(path, ctx.env, {o.only, o.shard, o.rerun_failed}, o.rules);
    if (!prepared) {
        ctx.err << prepared.error().message << "\n";
        return prepared.error().kind == cli::PrepareFailure::usage ? ExitCode::usage : ExitCode::harness_error;
    }
    auto& p = *prepared;
    if (!o.label.empty()) p.scenario.label = o.label;
    if (p.cells.empty()) {
        ctx.err << "nothing to re-run: every cell of " << o.rerun_failed << " passed\n";
        return ExitCode::gate_passed;
    }
    util::SecretRegistry secrets;
    auto up = cli::bring_up_hosts(p, ctx.env, secrets);
    if (!up) {
        ctx.err << "crm-accept run: " << up.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto bundle = runner::RunBundle::create(o.out, p.scenario.name, p.scenario.label, secrets);
    if (!bundle) {
        ctx.err << "crm-accept run: " << bundle.error().message << "\n";
        return ExitCode::harness_error;
    }
    // The engine's state holds probe credentials: it lives outside the bundle and is removed
    // after the run (each run rolls back what it created).
    std::string token = util::random_hex(4);
    fs::path state_dir = fs::temp_directory_path() / fmt::format("crm-accept-{}", token);
    fs::create_directories(state_dir);
    auto store = engine::StateStore::open(state_dir / "state.sqlite");
    if (!store) {
        ctx.err << "crm-accept run: " << store.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto http = probes::make_curl_transport();
    const std::string started = runner::now_iso_with_offset();
    (void)bundle->write_json("00-run.json", run_json(o, p, up->hosts, started, "", "incomplete", argv));

    gate::GatePolicyInput policy;
    policy.blocking_causes = p.scenario.gate.blocking_causes;
    policy.max_evidence_age = p.scenario.gate.max_evidence_age;
    policy.baseline = p.baseline ? &*p.baseline : nullptr;
    runner::CellPipeline pipeline(runner::PipelineDeps{p.scenario, up->hosts, *store, *http, secrets, up->env,
                                                       up->packs, p.rules, *bundle, policy, token});
    std::ostream& progress_os = o.json ? ctx.err : ctx.out;
    ProgressPrinter printer(progress_os, ctx.stdout_is_tty && !o.json, ctx.color && !o.json, !o.quiet && ctx.stdout_is_tty);
    auto reports = runner::run_cells(p.cells, pipeline, printer, ctx.interrupted, o.jobs);
    for (auto& c : up->clusters) {
        if (c) c->stop();
    }
    std::error_code ec;
    fs::remove_all(state_dir, ec);

    const bool interrupted = ctx.interrupted.load() ||
                             std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.interrupted; });
    runner::RunSummaryInput in;
    in.scenario_name = p.scenario.name;
    in.scenario_path = p.scenario.source_path;
    in.scenario_sha256 = p.scenario.sha256;
    in.label = p.scenario.label;
    in.started_at = started;
    in.finished_at = runner::now_iso_with_offset();
    in.interrupted = interrupted;
    in.complete = !interrupted;
    std::vector<gate::CellResult> results;
    for (const auto& r : reports) results.push_back({r.cell.id, r.cause, r.verdict, r.cell.expected_cause});
    in.gate = gate::decide(results, policy);
    in.cells = std::move(reports);
    ExitCode code = interrupted ? ExitCode::interrupted : in.gate.exit_code;
    in.exit_code = to_int(code);
    if (auto r = runner::write_summaries(*bundle, in); !r) {
        ctx.err << "crm-accept run: " << r.error().message << "\n";
        return ExitCode::harness_error;
    }
    // An interrupted run stays `incomplete` in 00-run.json: it is never reported as passing.
    (void)bundle->write_json("00-run.json", run_json(o, p, up->hosts, started, in.finished_at,
                                                     interrupted ? "incomplete" : "complete", argv));
    if (auto r = bundle->write_manifest(); !r) {
        ctx.err << "crm-accept run: " << r.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto hits = bundle->audit();
    if (!hits) {
        ctx.err << "crm-accept run: audit: " << hits.error().message << "\n";
        return ExitCode::harness_error;
    }
    if (o.json) {
        auto s = runner::summary_json(in);
        s.as_object()["bundle"] = bundle->dir().string();
        s.as_object()["audit_hits"] = hits->size();
        ctx.out << secrets.scrub(util::pretty(s));
    } else {
        print_table(ctx.out, in, bundle->dir(), ctx.color);
    }
    if (!hits->empty()) {
        for (const auto& h : *hits)
            ctx.err << fmt::format("audit: {}: {} at byte {} ({}...)\n", h.file, h.leak.kind, h.leak.offset,
                                   h.leak.preview);
        ctx.err << "audit FAILED: secrets reached the bundle; do not share it\n";
        return ExitCode::audit_failed;
    }
    return code;
}

}  // namespace

void register_run(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<RunOptions>();
    auto argv = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("run", "Run a scenario matrix and write a dated evidence bundle");
    cmd->add_option("scenario", opts->scenario, "Scenario file (default: scenarios/default.json against the built-in stub host)");
    cmd->add_option("--out", opts->out, "Bundle root directory")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print the run summary as JSON");
    cmd->add_option("--only", opts->only, "Only cells whose id matches (globs or substrings, comma separated)");
    cmd->add_option("--jobs,-j", opts->jobs, "Cells in parallel (default: all cells, at most 8)")->check(CLI::Range(0u, 64u));
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
