#pragma once
// What the operator verbs take from the scenario a bundle was run from: its gate section only
// (gate.max_evidence_age for the board's stale marking, gate.baseline for prune's protection).
// The rest of the file is not parsed, so a real-host scenario whose ${SECRET} variables are not
// set where the board runs still yields its age.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace crm::harness::catalog {

struct ScenarioGate {
    std::filesystem::path scenario;  // the file as it was found
    std::optional<std::chrono::seconds> max_evidence_age;
    std::filesystem::path baseline;  // resolved against the scenario's folder; empty = none
};

// The gate section of one scenario file. Fails (invalid_input/not_found, naming the file) when it
// cannot be read or the gate section is malformed; callers fall back to their defaults.
[[nodiscard]] util::Result<ScenarioGate> read_gate_file(const std::filesystem::path& scenario);

// The gate of the scenario each bundle was run from: the path recorded in <bundle>/00-run.json
// (scenario.path; a relative path is taken from the current directory, where the run was started
// from in the usual layout). A history holds hundreds of bundles of a few scenarios, so each
// scenario file is read and parsed once per command, not once per bundle.
class ScenarioGates {
  public:
    [[nodiscard]] const util::Result<ScenarioGate>& of_bundle(const std::filesystem::path& bundle_dir);

  private:
    std::map<std::filesystem::path, util::Result<ScenarioGate>> m_by_scenario;
    std::map<std::filesystem::path, util::Result<ScenarioGate>> m_failed_runs;  // 00-run.json unreadable
};

}  // namespace crm::harness::catalog
