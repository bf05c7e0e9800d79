#pragma once
// One cell's run through the pipeline (cell_pipeline.hpp), internal to harness/runner: the
// plan (cell_plan.hpp) drives it, each planned step's action is one member function, and the
// steps hand each other a CellState. Implemented in three files by concept: cell_pipeline.cpp
// (phases, step records, summary), provision_steps.cpp (00-05, 20) and probe_steps.cpp
// (06-19, the upstream lane).
#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"
#include "harness/classify/observations.hpp"
#include "harness/classify/rule_set.hpp"
#include "harness/gate/gate.hpp"
#include "harness/runner/artifact_sink.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/runner/cell_state.hpp"
#include "harness/runner/engine_ops.hpp"
#include "harness/runner/probe_retry.hpp"
#include "harness/runner/runner.hpp"
#include "harness/runner/upstream_lane.hpp"

namespace crm::harness::runner {

// What the pipeline lends every cell: PipelineDeps without the scenario, plus the run's host
// sessions. Everything is borrowed from the CellPipeline.
struct CellServices {
    const std::vector<HostContext>& hosts;
    engine::StateStore& store;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    const util::EnvLookup& env;
    const engine::PackCatalog& packs;
    const classify::RuleSet& rules;
    ArtifactSink& sink;
    const gate::GatePolicyInput& gate;
    const std::string& run_token;
    engine::HostSessions& sessions;
    const ServePlane* serve;  // null: the engine runs in this process
};

class CellRun {
  public:
    CellRun(const CellServices& services, const CellSettings& settings, const matrix::Cell& cell,
            const std::atomic<bool>& interrupted, RunEvents& events);
    CellRun(const CellRun&) = delete;
    CellRun& operator=(const CellRun&) = delete;

    CellReport run();

  private:
    // A step's action: writes the step's artifacts (named by the plan) and fills observations;
    // false stops the cell's probing (later steps are recorded as not reached).
    using Action = bool (CellRun::*)(const PlannedStep&);
    [[nodiscard]] static Action action_of(StepAction action);

    // Records `step` (ran / failed / skipped / not reached) and runs its action when due.
    bool run_step(const PlannedStep& step, std::string note = {});
    void run_rollback_phase(const PlannedStep& step, bool interrupted);
    void start_upstream_lane(int after_step);

    // provision_steps.cpp
    bool do_cell(const PlannedStep& step);
    bool do_health(const PlannedStep& step);
    bool do_capabilities(const PlannedStep& step);
    bool do_pack(const PlannedStep& step);
    bool do_preview(const PlannedStep& step);
    bool do_import(const PlannedStep& step);
    bool do_rollback(const PlannedStep& step);
    // probe_steps.cpp
    bool do_account_probe(const PlannedStep& step);
    bool do_access(const PlannedStep& step);
    bool do_mode_state(const PlannedStep& step);
    bool do_gateway_models(const PlannedStep& step);
    bool do_gateway_chat(const PlannedStep& step);
    bool do_gateway_stream(const PlannedStep& step);
    bool do_accounts_state(const PlannedStep& step);
    bool do_reconcile(const PlannedStep& step);
    bool do_upstream_models(const PlannedStep& step);
    bool do_upstream_chat(const PlannedStep& step);
    // The gateway with the probe user's key as Bearer, cancelled by an interrupt.
    [[nodiscard]] probes::gateway::ProbeTarget gateway_target() const;
    // A probe's <NN>.headers.txt and <NN>.json (`artifact`, or the result's JSON with its
    // attempts when null).
    template <class Result>
    void write_probe(const PlannedStep& step, const Attempted<Result>& a, util::json::value artifact = nullptr);
    // A gateway probe that cannot run because the access closure produced no user key.
    bool write_no_user_key(const PlannedStep& step);
    // The upstream lane's results for a step; false (and the step's "not sent" artifacts
    // written) when the provider key could not be resolved.
    bool upstream_results_ready(const PlannedStep& step);
    void summarize();
    // Marks the cell as one the harness could not vouch for (cause harness_error).
    void harness_error(std::string explanation);

    void write_json(std::string_view file, const util::json::value& v);
    void write_text(std::string_view file, std::string_view text);
    [[nodiscard]] probes::Timeouts timeouts() const;
    [[nodiscard]] engine::ImportRequest import_request() const;
    // Runs `probe` under the scenario's timeouts.retries (probe_retry.hpp).
    template <class Probe>
    auto retried(Probe&& probe) {
        return probe_with_retries(m_settings.timeouts.retries, &m_interrupted, std::forward<Probe>(probe));
    }

    const CellServices& m_services;
    const CellSettings& m_settings;
    const matrix::Cell& m_cell;
    const std::atomic<bool>& m_interrupted;
    RunEvents& m_events;
    const HostContext& m_host;
    std::vector<PlannedStep> m_plan;
    std::string m_prefix;
    engine::Engine m_engine;
    std::unique_ptr<EngineOps> m_ops;  // import, access, reconcile, rollback: m_engine or the control plane
    CellState m_state;
    CellReport m_report;
    classify::CellObservations m_obs;
    UpstreamLane m_upstream;
    std::optional<util::Error> m_upstream_key_error;  // set when the lane could not start for want of a key
    bool m_stopped = false;  // probing stopped early (host down, import failed, interrupt, ...)
    std::vector<std::string> m_write_errors;
};

// The artifact JSON of a step that failed: {"ok": false, "error": {code, message, context}}.
[[nodiscard]] util::json::value error_json(const util::Error& e);

// The engine's access mode for a cell's mode (the two enums name the same two modes; the scenario
// model does not depend on the engine).
inline engine::AccessMode to_engine(scenario::Mode m) {
    return m == scenario::Mode::self_service ? engine::AccessMode::self_service : engine::AccessMode::subscription;
}

}  // namespace crm::harness::runner
