#pragma once
// Access closure for one batch and mode (docs/ENGINE.md):
//   1. the batch's group for the mode (it must exist on the host with the matching
//      subscription_type: standard for self_service, subscription for subscription);
//   2. the ordinary user: engine-managed (random email and password, registered as secrets,
//      journaled like every other owned resource) or operator-supplied (found by email, never
//      deleted);
//   3. self_service: POST balance (add); subscription: assign the subscription (owned);
//   4. an API key bound to the group: the fork admin route when the host has it, else user
//      login + POST /api/v1/keys;
//   5. the account test per account (advisory evidence; a transient 429 never downgrades);
//   6. the ready rule (ready_check.hpp).
// access_status becomes <mode>_ready or broken; latest_access_status is recomputed over the
// batch's configured modes. Credentials are kept in access_closures for reuse.
#include <cstdint>

#include "engine/engine.hpp"
#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"
#include "engine/packs/pack.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<AccessOutcome> run_access(OpContext& ctx, std::int64_t batch_id, AccessMode mode,
                                                     const Provider& provider, const AccessOptions& options,
                                                     probes::sub2api::KeyRoute key_route);

// latest_access_status of a batch from its stored closures.
[[nodiscard]] util::Result<LatestAccessStatus> batch_latest_access(StateStore& store, std::int64_t batch_id);

// Parses an account-test SSE body: success, or the error text; 429 errors are advisory.
[[nodiscard]] AccountTestResult parse_account_test(std::int64_t account_id, int http_status, std::string_view body);

}  // namespace crm::engine
