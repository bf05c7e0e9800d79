#pragma once
// What the cell pipeline needs besides its services: the scenario facts a cell records and obeys
// (CellSettings, taken from the Scenario once per run), and what the steps of one cell hand to
// each other (CellState). Plain values, no IO.
#include <cstdint>
#include <optional>
#include <string>

#include "engine/packs/pack.hpp"
#include "harness/scenario/scenario.hpp"

namespace crm::harness::runner {

// The parts of the scenario a cell uses: provenance for 00-cell.json, the step switches (which
// plan_cell reads) and the timeouts and retries of every request.
struct CellSettings {
    std::string scenario_name;
    std::string scenario_path;
    std::string scenario_sha256;
    std::string label;
    scenario::StepSwitches steps;
    scenario::TimeoutSpec timeouts;

    [[nodiscard]] static CellSettings from(const scenario::Scenario& s);
};

// Handed from step to step within one cell.
struct CellState {
    // 03: the cell's provider as its host reaches it (the host's upstream override applied).
    std::optional<engine::Provider> provider;
    // 05: the batch the import created; set whenever one exists, even when the import failed.
    std::optional<std::int64_t> batch_id;
    // 07: the probe user's API key (registered in the SecretRegistry as it is set); "" when the
    // access closure produced none.
    std::string user_key;
};

}  // namespace crm::harness::runner
