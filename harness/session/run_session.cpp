#include "harness/session/run_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "harness/evidence/artifact_plan.hpp"
#include "harness/evidence/clock.hpp"
#include "harness/evidence/timestamp.hpp"
#include "harness/runner/abortable_transport.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/session/key_preflight.hpp"
#include "util/random.hpp"

namespace crm::harness::session {

namespace json = util::json;

RunSession::RunSession(RunRequest request, RunDeps deps) : m_request(std::move(request)), m_deps(std::move(deps)) {}

RunSession::~RunSession() = default;

RunResult RunSession::run() {
    Phase ok = prepare();
    if (ok) ok = start_hosts();
    if (ok) ok = open_bundle();
    if (ok) {
        run_cells();
        gate();
        ok = finalize();
    }
    if (!ok) {
        m_result.exit_code = ok.error().code;
        m_result.message = std::move(ok.error().message);
    }
    return std::move(m_result);
}

RunSession::Phase RunSession::prepare() {
    auto prepared = session::prepare(m_request.scenario_path, m_deps.env, m_request.selection, m_request.rules_path);
    if (!prepared) {
        switch (prepared.error().kind) {
            case PrepareFailure::usage:
                return std::unexpected(Stop{ExitCode::usage, prepared.error().message});
            case PrepareFailure::untrustworthy:  // as verify
                return std::unexpected(Stop{ExitCode::audit_failed, prepared.error().message});
            default:
                return std::unexpected(Stop{ExitCode::harness_error, prepared.error().message});
        }
    }
    m_prepared = std::move(*prepared);
    // A --label lands in every report: one that looks like a key is a paste accident, refused
    // now. (A secret-shaped label inside a scenario file is caught by the audit instead.)
    if (!util::find_secret_shaped(m_request.label).empty()) {
        return std::unexpected(
            Stop{ExitCode::usage,
                 "crm-accept run: --label looks like a secret (sk-/admin-/Bearer ...); choose another label"});
    }
    if (!m_request.label.empty()) m_prepared->scenario.label = m_request.label;
    if (m_prepared->cells.empty()) {
        return std::unexpected(Stop{ExitCode::gate_passed, fmt::format("nothing to re-run: every cell of {} passed",
                                                                       m_request.selection.rerun_failed)});
    }
    return {};
}

// Every secret the run will use is registered before anything is named, printed or written:
// admin keys and passwords, the reused user's password and the stub upstream keys
// (bring_up_hosts), the upstream keys read from the environment (check_upstream_keys). From
// here on the registry scrubs and the folder name avoids them.
RunSession::Phase RunSession::start_hosts() {
    auto& p = *m_prepared;
    auto up = bring_up_hosts(p, m_secrets);
    if (!up) return std::unexpected(Stop{ExitCode::harness_error, "crm-accept run: " + up.error().message});
    m_up = std::move(*up);
    if (auto keys = check_upstream_keys(p.scenario, p.cells, p.packs, m_up->hosts, m_deps.env, m_secrets); !keys) {
        return std::unexpected(Stop{ExitCode::harness_error, keys.error().message});
    }
    if (m_secrets.contains_secret(m_request.label)) {
        return std::unexpected(Stop{ExitCode::usage,
                                    "crm-accept run: --label holds a secret this run uses (an upstream key, admin key "
                                    "or password); choose another label"});
    }
    return {};
}

RunSession::Phase RunSession::open_bundle() {
    const auto& p = *m_prepared;
    m_token = util::random_hex(4);
    const auto& engine = p.scenario.engine;
    auto state = engine.url.empty() ? RunState::create(m_token) : RunState::attach(engine.state_file);
    if (!state) return std::unexpected(Stop{ExitCode::harness_error, "crm-accept run: " + state.error().message});
    m_state.emplace(std::move(*state));
    // A second SIGINT/SIGTERM ends every host call at once (a rollback on a hung host would
    // otherwise wait out each call's timeout).
    static const std::atomic<bool> k_never{false};
    m_http = std::make_unique<runner::AbortableTransport>(m_deps.http, m_deps.aborted ? *m_deps.aborted : k_never);
    if (auto e = start_engine(); !e) {
        m_serve.reset();
        m_state->drop();
        return e;
    }
    m_facts.engine_via = scenario::to_string(engine.via);
    m_facts.engine_url = m_serve ? m_serve->url : std::string{};
    // The bundle folder comes last: a control plane that cannot be reached leaves none behind.
    evidence::BundleOptions bopts;
    bopts.root = m_request.out;
    bopts.scenario = p.scenario.name;
    bopts.label = p.scenario.label;
    bopts.started = evidence::now();
    auto writer = evidence::BundleWriter::create(bopts, m_secrets);
    if (!writer) {
        m_serve.reset();
        m_state->drop();
        return std::unexpected(Stop{ExitCode::harness_error, "crm-accept run: " + writer.error().message});
    }
    m_writer.emplace(std::move(*writer));
    m_facts.scenario_name = p.scenario.name;
    m_facts.scenario_path = p.scenario.source_path;
    m_facts.scenario_sha256 = p.scenario.sha256;
    m_facts.label = p.scenario.label;
    m_facts.host_kind = scenario::to_string(m_up->hosts.front().kind);
    m_facts.host_url = m_up->hosts.front().target.url;
    m_facts.started_at = runner::now_iso_with_offset();
    m_facts.timezone = evidence::timezone_name(evidence::now());
    m_facts.clock_override = evidence::clock_override().value_or("");
    m_facts.argv = m_request.argv;
    m_facts.matrix = matrix_json();
    m_facts.engine_state = m_state->file().string();
    if (auto r = m_writer->begin(runner::to_run_summary(m_facts, {}, {}, 0)); !r) {
        m_state->drop();
        return std::unexpected(Stop{ExitCode::harness_error, "crm-accept run: " + r.error().message});
    }
    return {};
}

RunSession::Phase RunSession::start_engine() {
    const auto& p = *m_prepared;
    if (p.scenario.engine.via != scenario::EngineVia::serve) return {};
    m_serve = std::make_unique<ServeEngine>();
    ServeInputs in{p,          *m_up,   m_state->file(), m_state->file().parent_path(),
                   m_deps.env, *m_http, m_secrets,       m_request.self_exe};
    if (auto r = start_serve_engine(in, *m_serve); !r) return std::unexpected(Stop{r.error().code, r.error().message});
    return {};
}

void RunSession::run_cells() {
    const auto& p = *m_prepared;
    m_policy.blocking_causes = p.scenario.gate.blocking_causes;
    m_policy.max_evidence_age = p.scenario.gate.max_evidence_age;
    m_policy.baseline = p.baseline ? &*p.baseline : nullptr;
    m_state->lease_real_hosts(m_up->hosts);
    runner::EvidenceSink sink(*m_writer);
    runner::CellPipeline pipeline(runner::PipelineDeps{p.scenario, m_up->hosts, m_state->store(), *m_http, m_secrets,
                                                       m_deps.env, p.packs, p.rules, sink, m_policy, m_token,
                                                       m_serve ? &m_serve->plane : nullptr});
    m_result.cells = runner::run_cells(p.cells, pipeline, m_deps.events, m_deps.interrupted, m_request.jobs);
    if (m_serve && m_serve->process) m_serve->process->stop();
    for (auto& c : m_up->clusters) {
        if (c) c->stop();
    }
    // The version the first host reported in step 02 (recorded by the engine's host probe).
    if (auto h = m_state->store().find_host(m_facts.host_url); h && h->has_value())
        m_facts.host_version = (*h)->version;
    m_result.state = m_state->settle(m_result.cells, m_up->hosts, p.scenario.hosts, m_deps.aborted);
    if (!m_result.state.kept) m_facts.engine_state.clear();  // nothing to recover: do not point at a deleted file
}

// Each cell was decided once, when it finished; the run combines those decisions.
void RunSession::gate() {
    const auto& cells = m_result.cells;
    m_facts.interrupted = m_deps.interrupted.load() ||
                          std::any_of(cells.begin(), cells.end(), [](const auto& r) { return r.interrupted; });
    m_facts.ended_at = runner::now_iso_with_offset();
    std::vector<gate::CellDecision> cell_decisions;
    for (const auto& r : cells) cell_decisions.push_back(r.gate_decision());
    m_result.decision = gate::decide_run(std::move(cell_decisions), m_policy);
    m_result.interrupted = m_facts.interrupted;
    m_result.exit_code = m_facts.interrupted ? ExitCode::interrupted : m_result.decision.exit_code;
}

RunSession::Phase RunSession::finalize() {
    auto summary = runner::to_run_summary(m_facts, m_result.cells, m_result.decision, to_int(m_result.exit_code));
    // An interrupted run stays `incomplete` in 00-run.json: it is never reported as passing.
    auto fin = m_writer->finalize(summary, !m_facts.interrupted);
    if (!fin) return std::unexpected(Stop{ExitCode::harness_error, "crm-accept run: " + fin.error().message});
    // finalize() ran verify's checks on the bundle as written and, when they failed, rewrote its
    // summaries to say so (exit 4): the result carries that summary, not the one handed in.
    m_result.summary = std::move(fin->summary);
    m_result.check = std::move(fin->check);
    m_result.bundle_dir = m_writer->dir();
    // A secret-shaped scenario name or label is not registered while the bundle is written, so
    // the audit reports the copies it cannot prevent (exit 4); what is printed hides it.
    const auto& s = m_prepared->scenario;
    for (const auto* part : {&s.name, &s.label}) {
        if (!util::find_secret_shaped(*part).empty()) m_secrets.add(*part);
    }
    // An interrupted run exits 130 whatever its check found (a second signal may leave a step's
    // files unwritten): the summary still says what failed, and `verify` exits 4 on it.
    if (!m_result.check.trustworthy() && !m_facts.interrupted) {
        m_result.exit_code = ExitCode::audit_failed;
        m_result.decision.passed = false;
    }
    m_result.finished = true;
    return {};
}

// The resolved matrix as recorded in 00-run.json / summary.json ("matrix"): hosts, every selected
// cell with its matrix index (merge and --rerun-failed rely on it), selection and parallelism.
json::value RunSession::matrix_json() const {
    const auto& p = *m_prepared;
    const auto& hosts = m_up->hosts;
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
        auto cell = matrix::to_json(c);
        cell["artifacts"] =
            evidence::artifact_plan_json(runner::recorded_artifacts(runner::plan_cell(c, p.scenario.steps)));
        cells.push_back(std::move(cell));
    }
    r["cells_total"] = p.all_cells.size();
    r["cells_selected"] = std::move(cells);
    const auto& sel = m_request.selection;
    r["selection"] = json::object{{"only", sel.only}, {"shard", sel.shard}, {"rerun_failed", sel.rerun_failed}};
    r["jobs"] = runner::effective_jobs(m_request.jobs, p.cells.size());
    return r;
}

}  // namespace crm::harness::session
