#pragma once
// The cell pipeline (docs/EVIDENCE.md): one CellExecutor that drives the engine (system under test),
// the gateway and upstream probes against one host for one cell, writes artifacts 00..21 in
// order through an ArtifactSink, fills the classifier's CellObservations from what it saw,
// classifies, and applies the per-cell gate.
//
// It executes plan_cell() (cell_plan.hpp), the table `crm-accept plan` prints: each planned
// step's action runs in plan order, its artifacts are named by the plan, and the step's phase
// decides what a failure or an interrupt does. CellReport::steps holds one record per planned
// step but 21 (the summary), in plan order. The upstream-direct steps (17, 19) are sent on a
// thread of their own once step 08 ran, alongside 09-13 (upstream_lane.hpp); they are written,
// recorded and reported to RunEvents::step_started in their plan place.
//
// Each cell uses its own Engine (engines are not thread-safe) over one shared StateStore, and a
// per-cell resource name prefix, so parallel cells never collide on the host. Every cell's Engine
// and the pipeline's own admin read-back (step 12) share one host session per host for the whole
// run (engine/host/host_session.hpp): one admin login and one capability probe per host, not one
// per cell or per engine operation. When the run is interrupted after the cell imported, the
// pipeline stops probing, rolls the batch back (even when steps.rollback is off) and returns an
// interrupted report without 21-summary.
//
// A host's upstream overrides (HostTarget::upstreams) are the upstream its cells use: the
// engine's import, the upstream-direct probes (17, 19) and the URL 03-pack.json shows. Without
// one, the pack's expanded URL and key_source (through PipelineDeps::env) apply.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "harness/classify/rule_set.hpp"
#include "harness/gate/gate.hpp"
#include "harness/runner/artifact_sink.hpp"
#include "harness/runner/cell_state.hpp"
#include "harness/runner/runner.hpp"
#include "harness/runner/serve_ops.hpp"
#include "harness/scenario/scenario.hpp"

namespace crm::harness::runner {

struct HostContext {
    engine::HostTarget target;
    scenario::HostKind kind = scenario::HostKind::stub;
    std::optional<engine::UserCredentials> reuse_user;
};

struct PipelineDeps {
    const scenario::Scenario& scenario;
    std::vector<HostContext> hosts;  // by Cell::host_index
    engine::StateStore& store;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    util::EnvLookup env;  // upstream key variables of providers their host has no override for
    const engine::PackCatalog& packs;
    const classify::RuleSet& rules;
    ArtifactSink& sink;
    gate::GatePolicyInput gate;
    std::string run_token;  // names this run's host resources
    // Set when the scenario's engine runs behind the control plane (serve_ops.hpp): imports,
    // closures, reconciles and rollbacks go through its API. Null: the cells' own Engines.
    const ServePlane* serve = nullptr;
};

class CellPipeline final : public CellExecutor {
  public:
    // `sessions`: the host sessions to use (borrowed, must outlive the pipeline); null: the
    // pipeline keeps its own over deps.http and deps.secrets, shared by every cell it runs.
    explicit CellPipeline(PipelineDeps deps, engine::HostSessions* sessions = nullptr);
    [[nodiscard]] CellReport run_cell(const matrix::Cell& cell, const std::atomic<bool>& interrupted,
                                      RunEvents& events) override;

  private:
    PipelineDeps m_deps;
    CellSettings m_settings;  // what a cell needs of m_deps.scenario
    std::unique_ptr<engine::HostSessions> m_own_sessions;
    engine::HostSessions* m_sessions;
};

// Local time with its UTC offset, ISO-8601 ("2026-05-21T19:14:18+08:00").
[[nodiscard]] std::string now_iso_with_offset();

}  // namespace crm::harness::runner
