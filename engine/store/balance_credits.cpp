#include "engine/store/balance_credits.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "engine/store/stored_value.hpp"

namespace crm::engine {

using store::Database;
using store::Row;
using util::ErrorCode;
using util::fail;
using util::Result;

namespace {

constexpr std::array<std::string_view, 5> k_states{"intent", "applied", "absent", "taken_back", "take_back_failed"};

std::optional<CreditState> parse_state(std::string_view s) {
    for (std::size_t i = 0; i < k_states.size(); ++i) {
        if (k_states[i] == s) return static_cast<CreditState>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(CreditState s) noexcept { return k_states[static_cast<std::size_t>(s)]; }

Result<std::int64_t> BalanceCredits::journal(const BalanceCreditRecord& c) {
    std::int64_t id = 0;
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(
            db.execute("INSERT INTO balance_credits(batch_id, mode, user_id, user_email, amount, taken_back, "
                       "idempotency_key, state, error, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, 'intent', '', ?)",
                       {c.batch_id, std::string(to_string(c.mode)), c.user_id, c.user_email, c.amount,
                        c.idempotency_key, utc_now()}));
        id = db.last_insert_rowid();
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return id;
}

Result<void> BalanceCredits::mark(std::int64_t credit_id, CreditState state, double taken_back,
                                  const std::string& error) {
    // A settled credit has nothing left to replay; a failed one keeps its journaled subtract.
    const bool settled = state == CreditState::taken_back || state == CreditState::absent;
    return m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(u, db.execute("UPDATE balance_credits SET state = ?, taken_back = ?, error = ?, updated_at = ?, "
                              "pending_back = CASE WHEN ? THEN 0 ELSE pending_back END, "
                              "pending_key = CASE WHEN ? THEN '' ELSE pending_key END WHERE id = ?",
                              {std::string(to_string(state)), taken_back, error, utc_now(), std::int64_t{settled},
                               std::int64_t{settled}, credit_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("balance credit {} is not journaled", credit_id));
        return {};
    });
}

Result<void> BalanceCredits::mark_pending(std::int64_t credit_id, double back, const std::string& key) {
    return m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(u,
                db.execute("UPDATE balance_credits SET pending_back = ?, pending_key = ?, updated_at = ? WHERE id = ?",
                           {back, key, utc_now(), credit_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("balance credit {} is not journaled", credit_id));
        return {};
    });
}

Result<void> BalanceCredits::clear_pending(std::int64_t credit_id) { return mark_pending(credit_id, 0, ""); }

Result<std::vector<BalanceCreditRecord>> BalanceCredits::of_batch(std::int64_t batch_id) {
    std::vector<BalanceCreditRecord> out;
    // A read inside transaction() keeps to the store's one-connection-one-mutex rule.
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(
            rows,
            db.query("SELECT id, batch_id, mode, user_id, user_email, amount, taken_back, idempotency_key, state, "
                     "error, updated_at, pending_back, pending_key FROM balance_credits WHERE batch_id = ? ORDER BY id",
                     {batch_id}));
        for (const Row& r : rows) {
            BalanceCreditRecord c;
            c.id = r.i64(0);
            c.batch_id = r.i64(1);
            CRM_TRY(mode, store::parse_stored(parse_access_mode, r.text(2), "balance_credits.mode", c.id));
            c.mode = mode;
            c.user_id = r.i64(3);
            c.user_email = r.text(4);
            c.amount = r.real(5);
            c.taken_back = r.real(6);
            c.idempotency_key = r.text(7);
            CRM_TRY(state, store::parse_stored(parse_state, r.text(8), "balance_credits.state", c.id));
            c.state = state;
            c.error = r.text(9);
            c.updated_at = r.text(10);
            c.pending_back = r.real(11);
            c.pending_key = r.text(12);
            out.push_back(std::move(c));
        }
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return out;
}

}  // namespace crm::engine
