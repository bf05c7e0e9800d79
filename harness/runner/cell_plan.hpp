#pragma once
// The numbered artifacts of one cell (docs/EVIDENCE.md), as data: `plan` prints it, the pipeline follows
// it, tests compare the two. Numbers are stable across versions (append, never renumber).
#include <string>
#include <vector>

#include "harness/evidence/artifact_plan.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/json.hpp"

namespace crm::harness::runner {

struct PlannedStep {
    int number = 0;
    std::string step;                // short name: "host_health", "chat_stream", ...
    std::vector<std::string> files;  // artifact file names in the cell folder
    bool enabled = true;             // false: recorded as skipped
    bool touches_network = true;     // its time counts as a network wait (false: 00, 03, 21)
    std::string skip_reason;         // why (a step switch, the other mode's 08 variant)
    std::string description;
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
