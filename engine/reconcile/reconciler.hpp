#pragma once
// Reconcile one batch against the host (host-scope semantics, docs/ENGINE.md):
// - owned drift: every resource the batch created is read back; `missing` when the host no
//   longer has it, `modified` when a field the engine set differs (group platform /
//   subscription_type; account platform, group binding, model_mapping; channel model_mapping,
//   restrict_models, billing_model_source, group_ids; key group binding; subscription no longer
//   active);
// - residue: resources in the same scope (groups and accounts of the batch's platform, channels
//   over such groups or mapping that platform) that no batch in this store owns. Residue is
//   reported, never drift: a shared host legitimately holds other operators' resources.
// Status is in_sync when there is no owned drift, drifted otherwise; the run is recorded in
// reconcile_runs, and drift marks the provider broken.
#include <cstdint>

#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<ReconcileOutcome> run_reconcile(OpContext& ctx, std::int64_t batch_id);

}  // namespace crm::engine
