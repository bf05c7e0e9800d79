#include "engine/access/reused_user_credit.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/ops/write_outcome.hpp"
#include "engine/store/balance_credits.hpp"
#include "util/random.hpp"

namespace crm::engine {

using util::ErrorCode;
using util::Result;

namespace {

constexpr const char* k_note = "crm-accept probe balance";

Result<void> add(OpContext& ctx, const BalanceCreditRecord& c) {
    probes::sub2api::RequestOptions o{c.idempotency_key};
    CRM_TRY_VOID(ctx.write([&] { return ctx.admin.update_balance(c.user_id, c.amount, "add", k_note, o); }));
    return {};
}

// One pass over one credit; returns the line to report when money is still on the host.
Result<std::optional<std::string>> settle(OpContext& ctx, BalanceCredits& ledger, BalanceCreditRecord& c) {
    auto failed = [&](CreditState state, std::string why) -> Result<std::optional<std::string>> {
        CRM_TRY_VOID(ledger.mark(c.id, state, c.taken_back, why));
        c.state = state;
        c.error = why;
        return std::optional<std::string>(
            fmt::format("balance credit of {} to reused user {}: {}", c.amount, c.user_email, why));
    };
    if (c.state == CreditState::intent) {
        // Unknown whether the add reached the host: replaying the same Idempotency-Key either
        // returns the first answer or applies it now. Either way it is then applied, once.
        if (auto r = add(ctx, c); !r) {
            // A 409 on a replay is the host's idempotency store talking (key in use, or reused
            // with another body): it says nothing about whether the first request applied.
            if (!write_certainly_not_applied(r.error()) || r.error().http_status == 409) {
                return failed(CreditState::intent, "unresolved: " + r.error().message);
            }
            CRM_TRY_VOID(ledger.mark(c.id, CreditState::absent, 0, r.error().message));
            c.state = CreditState::absent;
            return std::optional<std::string>{};
        }
        c.state = CreditState::applied;
    }
    if (c.state != CreditState::applied && c.state != CreditState::take_back_failed)
        return std::optional<std::string>{};

    double back = c.pending_back;
    std::string key = c.pending_key;
    if (back <= 0) {
        auto user = ctx.admin.get_user(c.user_id);
        if (!user) {
            if (user.error().code == ErrorCode::not_found) {
                c.state = CreditState::taken_back;
                c.error = "the user no longer exists on the host";
                CRM_TRY_VOID(ledger.mark(c.id, c.state, c.taken_back, c.error));
                return std::optional<std::string>{};
            }
            return failed(CreditState::take_back_failed, "read user: " + user.error().message);
        }
        back = std::min(c.amount - c.taken_back, user->balance);
        if (back > 0) {
            key = fmt::format("{}-back-{}", c.idempotency_key, util::random_hex(4));
            CRM_TRY_VOID(ledger.mark_pending(c.id, back, key));
        }
    }
    if (back > 0) {
        // Journaled above (or by an earlier pass whose answer was lost): replayed as it was.
        probes::sub2api::RequestOptions o{key};
        auto r = ctx.write([&] { return ctx.admin.update_balance(c.user_id, back, "subtract", k_note, o); });
        if (!r) {
            if (write_certainly_not_applied(r.error()) && r.error().http_status != 409) {
                CRM_TRY_VOID(ledger.clear_pending(c.id));
            }
            return failed(CreditState::take_back_failed, "subtract: " + r.error().message);
        }
        c.taken_back += back;
    }
    c.state = CreditState::taken_back;
    c.error = c.taken_back + 1e-9 < c.amount
                  ? fmt::format("{:.6f} of {} was spent by the probes", c.amount - c.taken_back, c.amount)
                  : std::string{};
    CRM_TRY_VOID(ledger.mark(c.id, c.state, c.taken_back, c.error));
    return std::optional<std::string>{};
}

CreditView view_of(const BalanceCreditRecord& c) {
    return {c.mode, c.user_email, c.amount, c.taken_back, std::string(to_string(c.state)), c.error};
}

}  // namespace

Result<void> credit_reused_user(OpContext& ctx, std::int64_t batch_id, AccessMode mode, std::int64_t user_id,
                                const std::string& user_email, double amount) {
    BalanceCredits ledger(ctx.store);
    BalanceCreditRecord c;
    c.batch_id = batch_id;
    c.mode = mode;
    c.user_id = user_id;
    c.user_email = user_email;
    c.amount = amount;
    c.idempotency_key = "crm-credit-" + util::random_hex(12);
    auto id = ledger.journal(c);
    if (!id) return std::unexpected(id.error());
    c.id = *id;
    if (auto r = add(ctx, c); !r) {
        if (write_certainly_not_applied(r.error())) (void)ledger.mark(c.id, CreditState::absent, 0, r.error().message);
        return r;
    }
    return ledger.mark(c.id, CreditState::applied, 0);
}

Result<CreditTakeBack> take_back_credits(OpContext& ctx, std::int64_t batch_id, std::optional<AccessMode> mode) {
    BalanceCredits ledger(ctx.store);
    auto credits = ledger.of_batch(batch_id);
    if (!credits) return std::unexpected(credits.error());
    CreditTakeBack out;
    for (auto& c : *credits) {
        if (mode && c.mode != *mode) continue;
        auto line = settle(ctx, ledger, c);
        if (!line) return std::unexpected(line.error());
        if (*line) out.errors.push_back(**line);
        out.credits.push_back(view_of(c));
    }
    if (!out.credits.empty()) {
        double back = 0;
        for (const auto& v : out.credits) back += v.taken_back;
        ctx.emit("rollback",
                 fmt::format("batch {}: took back {:.6f} of balance added to reused users ({} credits)", batch_id, back,
                             out.credits.size()),
                 batch_id);
    }
    return out;
}

}  // namespace crm::engine
