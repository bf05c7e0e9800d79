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
    CreditState state = CreditState::intent;
    std::string error;
    std::string updated_at;
    friend bool operator==(const BalanceCreditRecord&, const BalanceCreditRecord&) = default;
};

class BalanceCredits {
public:
    explicit BalanceCredits(StateStore& store) : m_store(store) {}

    [[nodiscard]] util::Result<std::int64_t> journal(const BalanceCreditRecord& credit);
    [[nodiscard]] util::Result<void> mark(std::int64_t credit_id, CreditState state, double taken_back,
                                          const std::string& error = {});
    [[nodiscard]] util::Result<std::vector<BalanceCreditRecord>> of_batch(std::int64_t batch_id);

private:
    StateStore& m_store;
};

}  // namespace crm::engine
