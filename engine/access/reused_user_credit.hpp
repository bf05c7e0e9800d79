#pragma once
// Balance top-ups for an operator-supplied (reused) ordinary user, and taking them back.
//
// self_service access needs a user with balance. A probe user the engine created is deleted by
// rollback; a reused user belongs to the operator and must end the run as the engine found it,
// minus what the probes actually spent. So every top-up is journaled in BalanceCredits before
// the host call, and rollback (and recover, for unfinished closures) subtracts
// min(what was added and not yet taken back, the user's current balance).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"

namespace crm::engine {

// POST /api/v1/admin/users/:id/balance {operation:add} with a journaled Idempotency-Key.
[[nodiscard]] util::Result<void> credit_reused_user(OpContext& ctx, std::int64_t batch_id, AccessMode mode,
                                                    std::int64_t user_id, const std::string& user_email, double amount);

struct CreditTakeBack {
    std::vector<CreditView> credits;  // every credit of the batch (of the mode), after the pass
    std::vector<std::string> errors;  // one line per credit that is still on the host
};

// Resolves journaled-but-unconfirmed credits (replaying their request) and takes back every
// applied one. Error only when the store fails; host failures are listed in `errors`.
[[nodiscard]] util::Result<CreditTakeBack> take_back_credits(OpContext& ctx, std::int64_t batch_id,
                                                             std::optional<AccessMode> mode = {});

}  // namespace crm::engine
