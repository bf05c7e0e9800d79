#pragma once
// Whether the bundles handed to `merge` together are the run they were cut from: one shard of two
// is half a run, and gating it alone would pass a bundle that never looked at the other half.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/evidence/verify.hpp"
#include "harness/scenario/scenario.hpp"

namespace crm::harness::session {

// `present`: the cells the shards hold, matrix index -> cell id. `scenario`: the scenario file
// named by the shards, when it is still the same file (sha256); `scenario_path` names it in
// messages. nullopt when the shards cover the matrix (or the recorded --only selection),
// otherwise one line naming what is missing or why coverage cannot be checked.
[[nodiscard]] std::optional<std::string> coverage_problem(const std::vector<evidence::EarlierBundle>& shards,
                                                          const std::map<std::size_t, std::string>& present,
                                                          const std::optional<scenario::Scenario>& scenario,
                                                          const std::string& scenario_path);

}  // namespace crm::harness::session
