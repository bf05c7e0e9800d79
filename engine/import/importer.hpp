#pragma once
// Executes an ImportPlan against the host with the intent journal (docs/ENGINE.md): for each planned
// resource, an intent row is committed, then the host create is sent, then the host id is
// recorded. The batch goes running → succeeded, or failed on the first host error with every
// created resource recorded (rollback removes them).
//
// A create that got no answer (timeout, connection reset) stays an intent: the host may or may
// not have made it, and rollback/recover look it up by name. A create the host refused is
// recorded absent with the host's one-line error.
#include <cstdint>
#include <string>

#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"
#include "engine/packs/pack.hpp"

namespace crm::engine {

// `api_key` is the resolved upstream key (already a registered secret).
[[nodiscard]] ImportOutcome run_import(OpContext& ctx, std::int64_t batch_id, const Provider& provider,
                                       const ImportPlan& plan, const std::string& api_key);

// Store resources as outcome views.
[[nodiscard]] std::vector<ResourceView> resource_views(const std::vector<ResourceRecord>& records);

}  // namespace crm::engine
