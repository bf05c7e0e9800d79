#pragma once
// The numbered artifacts of one cell (docs/EVIDENCE.md), as data: `plan` prints it, the pipeline follows
// it, tests compare the two. Numbers are stable across versions (append, never renumber).
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/artifact_plan.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/json.hpp"

namespace crm::harness::runner {

// The pipeline's phases, in order. provision (00-05): a failed step stops the cell's probing.
// probe (06-19): runs only when provisioning succeeded, stops at the first failed step or when
// the run is interrupted. rollback (20): runs whenever something was imported and rollback is
// on, and always after an interrupt. summary (21): classifies and writes the cell's summary; an
// interrupted cell never reaches it.
enum class StepPhase { provision, probe, rollback, summary };

// What a step waits on: nothing (local), the host, or the upstream provider directly. Upstream
// steps depend on nothing the host steps produce, so the pipeline runs them alongside.
enum class StepTarget { local, host, upstream };

// What a step does; the pipeline maps each action to its implementation once.
enum class StepAction {
    cell,
    host_health,
    host_capabilities,
    pack,
    preview,
    import,
    account_probe,
    access_status,
    mode_state,
    models,
    chat,
    chat_stream,
    accounts_state,
    reconcile,
    upstream_models,
    upstream_chat,
    rollback,
    summary,
};

[[nodiscard]] const char* to_string(StepPhase phase) noexcept;
[[nodiscard]] const char* to_string(StepTarget target) noexcept;

struct PlannedStep {
    int number = 0;
    std::string step;                // short name: "host_health", "chat_stream", ...
    std::vector<std::string> files;  // artifact file names in the cell folder
    bool enabled = true;             // false: recorded as skipped
    bool touches_network = true;     // its time counts as a network wait (false: 00, 03, 21)
    std::string skip_reason;         // why (a step switch, the other mode's 08 variant)
    std::string description;
    StepAction action = StepAction::cell;
    StepPhase phase = StepPhase::provision;
    StepTarget target = StepTarget::host;
    // An upstream step starts alongside the host steps once step `starts_after` ran (08: with
    // the gateway smoke, so a cell whose access closure failed sends nothing upstream); it is
    // recorded in its own place in the plan. -1: the step runs in its place.
    int starts_after = -1;

    // The artifact file of this step whose name ends with `suffix` (".json", ".headers.txt",
    // ".sse", ".md"); the first file when none does.
    [[nodiscard]] const std::string& file(std::string_view suffix) const;
};

// Every step of the cell in pipeline order, enabled or not.
[[nodiscard]] std::vector<PlannedStep> plan_cell(const matrix::Cell& cell, const scenario::StepSwitches& steps);

// Folder name of step NN's artifact for the cell's mode: 08-self-service-state.json or
// 08-subscription-group-state.json.
[[nodiscard]] std::string mode_state_artifact(scenario::Mode mode);

[[nodiscard]] util::json::value plan_to_json(const std::vector<PlannedStep>& steps);

// The artifacts recorded in 00-run.json for verify to check (evidence/artifact_plan.hpp): every
// enabled step, named as 21-summary.json names it ("05-import").
[[nodiscard]] std::vector<evidence::PlannedArtifacts> recorded_artifacts(const std::vector<PlannedStep>& steps);
// "NN-<step>", the name a step has in 21-summary.json.
[[nodiscard]] std::string step_name(int number, std::string_view step);

}  // namespace crm::harness::runner
