// `crm-accept run [SCENARIO]`: resolve, start stubs, register every secret the run will use,
// run the matrix in parallel, gate, write the bundle and check it exactly as `verify` does,
// print a per-cell table (or --json). The exit code is the gate's, unless the run was
// interrupted (130), the input was invalid (3 / 64) or the bundle fails verify's checks (4).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <ostream>
#include <sstream>

#include "engine/store/host_lease.hpp"
#include "engine/store/state_store.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/key_preflight.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/cli/still_owned.hpp"
#include "harness/evidence/artifact_plan.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/timestamp.hpp"
#include "harness/runner/abortable_transport.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "harness/runner/runner.hpp"
#include "probes/http/transport.hpp"
#include "util/random.hpp"
#include "util/secrets.hpp"
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
    std::chrono::steady_clock::time_point m_t0;
    std::mutex m_mutex;
};

// The resolved matrix as recorded in 00-run.json / summary.json ("matrix"): hosts, every selected
// cell with its matrix index (merge and --rerun-failed rely on it), selection and parallelism.
json::value matrix_json(const RunOptions& o, const cli::Prepared& p, const std::vector<runner::HostContext>& hosts) {
    json::object r;
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
        // "artifacts": what verify checks each cell folder against (evidence/artifact_plan.hpp).
        cells.push_back(json::object{
            {"index", c.index},
            {"cell", c.id},
            {"mode", scenario::to_string(c.mode)},
            {"pack", c.pack},
            {"provider", c.provider},
            {"profile", c.profile},
            {"expected_cause", c.expected_cause ? json::value(classify::to_string(*c.expected_cause)) : nullptr},
            {"artifacts",
             evidence::artifact_plan_json(runner::recorded_artifacts(runner::plan_cell(c, p.scenario.steps)))}});
    }
    r["cells_total"] = p.all_cells.size();
    r["cells_selected"] = std::move(cells);
    r["selection"] = json::object{{"only", o.only}, {"shard", o.shard}, {"rerun_failed", o.rerun_failed}};
    r["jobs"] = runner::effective_jobs(o.jobs, p.cells.size());
    return r;
}

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

ExitCode run(const RunOptions& o, CommandContext& ctx, const std::vector<std::string>& argv) {
    std::string path = o.scenario.empty() ? cli::default_scenario_path(ctx.env) : o.scenario;
    auto prepared = cli::prepare(path, ctx.env, {o.only, o.shard, o.rerun_failed}, o.rules);
    if (!prepared) {
        ctx.err << prepared.error().message << "\n";
        switch (prepared.error().kind) {
            case cli::PrepareFailure::usage:
                return ExitCode::usage;
            case cli::PrepareFailure::untrustworthy:
                return ExitCode::audit_failed;  // as verify
            default:
                return ExitCode::harness_error;
        }
    }
    auto& p = *prepared;
    // A --label lands in every report: one that looks like a key is a paste accident, refused
    // now. (A secret-shaped label inside a scenario file is caught by the audit instead.)
    if (!util::find_secret_shaped(o.label).empty()) {
        ctx.err << "crm-accept run: --label looks like a secret (sk-/admin-/Bearer ...); choose another label\n";
        return ExitCode::usage;
    }
    if (!o.label.empty()) p.scenario.label = o.label;
    if (p.cells.empty()) {
        ctx.err << "nothing to re-run: every cell of " << o.rerun_failed << " passed\n";
        return ExitCode::gate_passed;
    }
    // Every secret the run will use is registered before anything is named, printed or written:
    // admin keys and passwords, the reused user's password and the stub upstream keys
    // (bring_up_hosts), the upstream keys read from the environment (check_upstream_keys). From
    // here on the registry scrubs and the folder name avoids them.
    util::SecretRegistry secrets;
    auto up = cli::bring_up_hosts(p, secrets);
    if (!up) {
        ctx.err << "crm-accept run: " << up.error().message << "\n";
        return ExitCode::harness_error;
    }
    if (auto keys = cli::check_upstream_keys(p.scenario, p.cells, p.packs, up->hosts, ctx.env, secrets); !keys) {
        ctx.err << keys.error().message << "\n";
        return ExitCode::harness_error;
    }
    if (secrets.contains_secret(o.label)) {
        ctx.err << "crm-accept run: --label holds a secret this run uses (an upstream key, admin key or password); "
                   "choose another label\n";
        return ExitCode::usage;
    }
    evidence::BundleOptions bopts;
    bopts.root = o.out;
    bopts.scenario = p.scenario.name;
    bopts.label = p.scenario.label;
    auto writer = evidence::BundleWriter::create(bopts, secrets);
    if (!writer) {
        ctx.err << "crm-accept run: " << writer.error().message << "\n";
        return ExitCode::harness_error;
    }
    runner::EvidenceSink sink(*writer);
    // The engine's state holds probe credentials: it lives outside the bundle (0700 directory,
    // 0600 file) and is removed after the run when every cell that imported was rolled back.
    // Otherwise it is kept: it is the only record of what is still on the host.
    std::string token = util::random_hex(4);
    fs::path state_dir = fs::temp_directory_path() / fmt::format("crm-accept-{}", token);
    fs::create_directories(state_dir);
    fs::permissions(state_dir, fs::perms::owner_all, fs::perm_options::replace);
    auto store = engine::StateStore::open(state_dir / "state.sqlite");
    auto drop_state = [&] {
        std::error_code ignored;
        fs::remove_all(state_dir, ignored);
    };
    if (!store) {
        ctx.err << "crm-accept run: " << store.error().message << "\n";
        drop_state();
        return ExitCode::harness_error;
    }
    auto curl = probes::make_curl_transport();
    // A second SIGINT/SIGTERM ends every host call at once (a rollback on a hung host would
    // otherwise wait out each call's timeout).
    static const std::atomic<bool> k_never{false};
    runner::AbortableTransport http_abortable(*curl, ctx.aborted ? *ctx.aborted : k_never);
    probes::HttpTransport* http = &http_abortable;
    runner::RunFacts facts;
    facts.scenario_name = p.scenario.name;
    facts.scenario_path = p.scenario.source_path;
    facts.scenario_sha256 = p.scenario.sha256;
    facts.label = p.scenario.label;
    facts.host_kind = scenario::to_string(up->hosts.front().kind);
    facts.host_url = up->hosts.front().target.url;
    facts.started_at = runner::now_iso_with_offset();
    facts.timezone = evidence::timezone_name(std::chrono::system_clock::now());
    facts.argv = argv;
    facts.matrix = matrix_json(o, p, up->hosts);
    facts.engine_state = (state_dir / "state.sqlite").string();
    if (auto r = writer->begin(runner::to_run_summary(facts, {}, {}, 0)); !r) {
        ctx.err << "crm-accept run: " << r.error().message << "\n";
        drop_state();
        return ExitCode::harness_error;
    }

    gate::GatePolicyInput policy;
    policy.blocking_causes = p.scenario.gate.blocking_causes;
    policy.max_evidence_age = p.scenario.gate.max_evidence_age;
    policy.baseline = p.baseline ? &*p.baseline : nullptr;
    // The run holds a shared lease on each real host of its state file until it ends, so an
    // `engine recover` on that file refuses while the run is alive (between its engine
    // operations too) instead of removing a live run's batches; a killed run releases it.
    std::vector<engine::store::HostLease> leases;
    for (const auto& h : up->hosts) {
        if (h.kind != scenario::HostKind::real) continue;
        auto url = h.target.url;
        while (!url.empty() && url.back() == '/') url.pop_back();
        auto id = store->upsert_host(h.target.name, url);
        if (!id) continue;  // the engine reports store failures at its first operation
        if (auto l = engine::store::HostLease::acquire(store->path(), *id, engine::store::LeaseKind::shared,
                                                       std::chrono::milliseconds(0), url)) {
            leases.push_back(std::move(*l));
        }
    }
    runner::CellPipeline pipeline(runner::PipelineDeps{p.scenario, up->hosts, *store, *http, secrets, ctx.env, p.packs,
                                                       p.rules, sink, policy, token});
    std::ostream& progress_os = o.json ? ctx.err : ctx.out;
    ProgressPrinter printer(progress_os, ctx.stdout_is_tty && !o.json, ctx.color && !o.json,
                            !o.quiet && ctx.stdout_is_tty);
    auto reports = runner::run_cells(p.cells, pipeline, printer, ctx.interrupted, o.jobs);
    for (auto& c : up->clusters) {
        if (c) c->stop();
    }
    // The version the first host reported in step 02 (recorded by the engine's host probe).
    if (auto h = store->find_host(facts.host_url); h && h->has_value()) facts.host_version = (*h)->version;
    const auto left_on_host = std::count_if(reports.begin(), reports.end(),
                                            [](const runner::CellReport& r) { return r.imported && !r.rolled_back; });
    const bool real_host = std::any_of(up->hosts.begin(), up->hosts.end(),
                                       [](const runner::HostContext& h) { return h.kind == scenario::HostKind::real; });
    // What the engine state says may still be on each real host (rows a rollback did not
    // confirm gone). Unreadable state counts as "something is left": the file is then kept.
    std::vector<cli::RecoverTarget> targets;
    for (std::size_t i = 0; i < up->hosts.size(); ++i) {
        if (up->hosts[i].kind != scenario::HostKind::real) continue;
        const auto& spec = p.scenario.hosts[i];
        targets.push_back({up->hosts[i].target.url, spec.admin_api_key_env,
                           spec.admin_api_key.empty() ? spec.admin_email : std::string{}, spec.admin_password_env});
    }
    auto owned = cli::still_owned(*store, targets);
    const bool aborted = ctx.aborted && ctx.aborted->load();
    if (real_host && (left_on_host > 0 || !owned || !owned->empty())) {
        if (aborted) {
            ctx.err << "crm-accept run: stopped waiting on the host (second interrupt); the rollback did not finish\n";
        } else {
            ctx.err << fmt::format(
                "note: {} cells left resources on the host; the engine state is kept at {} "
                "(crm-accept engine status|rollback|recover --db {})\n",
                left_on_host, facts.engine_state, facts.engine_state);
        }
        if (!owned) ctx.err << "crm-accept run: cannot read the engine state: " << owned.error().message << "\n";
        for (const auto& h : owned ? *owned : std::vector<cli::HostLeftovers>{}) {
            ctx.err << fmt::format("still owned on {}:\n", h.url);
            for (const auto& l : h.lines) ctx.err << "  " << l << "\n";
            ctx.err << "recover with: " << h.recover_command << "\n";
        }
    } else {
        drop_state();
        facts.engine_state.clear();  // nothing to recover: do not point at a deleted file
    }

    facts.interrupted = ctx.interrupted.load() ||
                        std::any_of(reports.begin(), reports.end(), [](const auto& r) { return r.interrupted; });
    facts.ended_at = runner::now_iso_with_offset();
    // Each cell was decided once, when it finished; the run combines those decisions.
    std::vector<gate::CellDecision> cell_decisions;
    for (const auto& r : reports) cell_decisions.push_back(r.gate_decision());
    auto decision = gate::decide_run(std::move(cell_decisions), policy);
    ExitCode code = facts.interrupted ? ExitCode::interrupted : decision.exit_code;
    auto summary = runner::to_run_summary(facts, reports, decision, to_int(code));
    // An interrupted run stays `incomplete` in 00-run.json: it is never reported as passing.
    auto fin = writer->finalize(summary, !facts.interrupted);
    if (!fin) {
        ctx.err << "crm-accept run: " << fin.error().message << "\n";
        return ExitCode::harness_error;
    }
    // finalize() ran verify's checks on the bundle as written and, when they failed, rewrote its
    // summaries to say so (exit 4): print that summary, not the one handed in.
    summary = fin->summary;
    // A secret-shaped scenario name or label is not registered while the bundle is written, so
    // the audit reports the copies it cannot prevent (exit 4); what is printed hides it.
    for (const auto* part : {&p.scenario.name, &p.scenario.label}) {
        if (!util::find_secret_shaped(*part).empty()) secrets.add(*part);
    }
    // An interrupted run exits 130 whatever its check found (a second signal may leave a step's
    // files unwritten): the summary and stderr still say what failed, and `verify` exits 4 on it.
    if (!fin->passed() && !facts.interrupted) {
        code = ExitCode::audit_failed;
        decision.passed = false;
    }
    if (o.json) {
        auto s = evidence::summary_json(summary, facts.interrupted ? "incomplete" : "complete");
        s["bundle"] = writer->dir().string();
        s["audit_hits"] = fin->check.audit_hits.size();
        // Per-cell network waits (the critical path of the run; bench/matrix_overhead).
        if (auto* cells = s.if_contains("cells"); cells && cells->is_array()) {
            auto& arr = cells->as_array();
            for (std::size_t i = 0; i < arr.size() && i < reports.size(); ++i) {
                if (!arr[i].is_object()) continue;
                arr[i].as_object()["cell"] = reports[i].cell.id;
                arr[i].as_object()["network_ms"] = reports[i].network_ms;
            }
        }
        ctx.out << secrets.scrub(util::pretty(s));
    } else {
        std::ostringstream table;
        print_table(table, reports, decision, facts.interrupted, to_int(code), writer->dir(), ctx.color);
        ctx.out << secrets.scrub(table.str());
    }
    if (!fin->passed()) {
        for (const auto& line : fin->check.problems()) ctx.err << secrets.scrub("bundle check: " + line) << "\n";
        ctx.err << (fin->check.audit_hits.empty()
                        ? "bundle check FAILED: the bundle does not pass verify; do not share it\n"
                        : "audit FAILED: secrets reached the bundle; do not share it\n");
    }
    return code;
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
