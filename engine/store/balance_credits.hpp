#pragma once
// The ledger of balance the engine adds to an operator-supplied (reused) user in self_service
// mode. A probe user the engine created is deleted by rollback, and its balance with it; a
// reused user is the operator's and stays, so rollback takes back what the engine added instead.
//
// Contract:
// - journal() records a credit in state `intent` *before* the host call, with the
//   Idempotency-Key the call will carry: a crash between the two is resolved by replaying the
//   same request (the host answers the first result again, or applies it once);
// - states: intent → applied | absent (the host refused); applied → taken_back |
//   take_back_failed; take_back_failed → taken_back. `taken_back` holds the amount actually
//   subtracted, which is less than `amount` when the probes spent part of it;
// - a take-back is journaled too (mark_pending: amount and Idempotency-Key) before it is sent,
//   and a retry replays exactly that request until it is resolved: a subtract whose answer was
//   lost is never sent again with another amount (which would take the operator's own money);
// - every call is one transaction on the shared StateStore; records are values.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/status.hpp"
#include "engine/store/state_store.hpp"
#include "util/error.hpp"

namespace crm::engine {

enum class CreditState { intent, applied, absent, taken_back, take_back_failed };

[[nodiscard]] std::string_view to_string(CreditState s) noexcept;

struct BalanceCreditRecord {
    std::int64_t id = 0;
    std::int64_t batch_id = 0;
    AccessMode mode = AccessMode::self_service;
    std::int64_t user_id = 0;
    std::string user_email;
    double amount = 0;
    double taken_back = 0;
    std::string idempotency_key;
    double pending_back = 0;  // a journaled subtract not yet resolved (0: none)
    std::string pending_key;
    CreditState state = CreditState::intent;
    std::string error;
    std::string updated_at;
    friend bool operator==(const BalanceCreditRecord&, const BalanceCreditRecord&) = default;
};

class BalanceCredits {
  public:
    explicit BalanceCredits(StateStore& store) : m_store(store) {}

    [[nodiscard]] util::Result<std::int64_t> journal(const BalanceCreditRecord& credit);
    // Sets state, taken_back and error; a settled state (taken_back, absent) also clears the
    // pending subtract, a failed one keeps it for the replay.
    [[nodiscard]] util::Result<void> mark(std::int64_t credit_id, CreditState state, double taken_back,
                                          const std::string& error = {});
    // Journals the subtract about to be sent (the state is unchanged).
    [[nodiscard]] util::Result<void> mark_pending(std::int64_t credit_id, double back, const std::string& key);
    // Records a failed subtract that certainly did not apply: it need not be replayed.
    [[nodiscard]] util::Result<void> clear_pending(std::int64_t credit_id);
    [[nodiscard]] util::Result<std::vector<BalanceCreditRecord>> of_batch(std::int64_t batch_id);

  private:
    StateStore& m_store;
};

}  // namespace crm::engine
