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
#include <span>
#include <string_view>
#include <vector>

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

// Reads an account-test answer with the account probe's SSE parser (probes/account): success, or
// the error text; an HTTP 429, or an error event naming upstream status 429, is advisory.
[[nodiscard]] AccountTestResult parse_account_test(std::int64_t account_id, int http_status, std::string_view body);

// POST /api/v1/admin/accounts/:id/test for each account, in order, with `model`. Never fails: an
// admin call that got no answer is a result with its error text as detail.
[[nodiscard]] std::vector<AccountTestResult> test_accounts(OpContext& ctx, std::span<const std::int64_t> account_ids,
                                                           std::string_view model);

}  // namespace crm::engine
