#pragma once
// What the operator verbs take from the scenario a bundle was run from: its gate section only
// (gate.max_evidence_age for the board's stale marking, gate.baseline for prune's protection).
// The rest of the file is not parsed, so a real-host scenario whose ${SECRET} variables are not
// set where the board runs still yields its age.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace crm::harness::catalog {

struct ScenarioGate {
    std::filesystem::path scenario;  // the file as it was found
    std::optional<std::chrono::seconds> max_evidence_age;
    std::filesystem::path baseline;  // resolved against the scenario's folder; empty = none
};

// Reads the scenario path recorded in <bundle>/00-run.json (scenario.path; a relative path is
// taken from the current directory, where the run was started from in the usual layout), then its
// gate section. Fails (invalid_input/not_found, naming the file) when either file cannot be read
// or the gate section is malformed; callers fall back to their defaults and may say so.
[[nodiscard]] util::Result<ScenarioGate> read_scenario_gate(const std::filesystem::path& bundle_dir);

}  // namespace crm::harness::catalog
