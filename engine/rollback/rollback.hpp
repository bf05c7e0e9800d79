#pragma once
// Rollback of one batch (docs/ENGINE.md): resolve unconfirmed intents by name, delete every owned
// resource that may exist in deletion order (api keys, subscriptions, users, channel, accounts,
// groups; later-created first within a kind), take back balance added to reused users, then
// read each resource back from the host. The batch becomes rolled_back only when the read-back
// finds nothing owned and every credit is taken back; otherwise rollback_failed with the
// remaining resources and credits listed. Safe to repeat.
#include <cstdint>

#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<RollbackOutcome> run_rollback(OpContext& ctx, std::int64_t batch_id);

// Resolves one intent row: records its host id when the host has it (state created), or marks
// it absent. Returns whether it was found.
[[nodiscard]] util::Result<bool> resolve_intent(OpContext& ctx, ResourceRecord& r);

}  // namespace crm::engine
