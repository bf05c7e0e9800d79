#include "engine/recover/recover.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/access/reused_user_credit.hpp"
#include "engine/host/host_resources.hpp"
#include "engine/rollback/rollback.hpp"

namespace crm::engine {

using util::Result;

namespace {

bool may_exist(const ResourceRecord& r) {
    return r.state == ResourceState::created || r.state == ResourceState::delete_failed;
}

// Deletes `targets` in rollback order, then reads each one back: whatever is still there (or
// cannot be read) becomes a leftover. Used where no full rollback applies (a rolled_back batch
// with late-found intents; an unfinished access closure of an installed provider).
void delete_and_check(OpContext& ctx, std::vector<ResourceRecord*> targets, RecoverOutcome& out) {
    std::stable_sort(targets.begin(), targets.end(), [](const ResourceRecord* a, const ResourceRecord* b) {
        int ra = deletion_rank(a->kind), rb = deletion_rank(b->kind);
        return ra != rb ? ra < rb : a->ord > b->ord;
    });
    for (auto* r : targets) {
        if (auto del = remove_from_host(ctx, *r); del) {
            (void)ctx.store.mark_state(r->id, ResourceState::deleted);
            r->state = ResourceState::deleted;
        } else {
            (void)ctx.store.mark_state(r->id, ResourceState::delete_failed, del.error().message);
            r->state = ResourceState::delete_failed;
        }
    }
    for (auto* r : targets) {
        auto present = exists_on_host(ctx, *r);
        if (!present) {
            out.remaining.push_back({r->batch_id, std::string(to_string(r->kind)), r->name, r->host_id,
                                     "read-back failed: " + present.error().message});
        } else if (*present) {
            if (r->state == ResourceState::deleted) {
                (void)ctx.store.mark_state(r->id, ResourceState::delete_failed, "still on the host after delete");
            }
            out.remaining.push_back(
                {r->batch_id, std::string(to_string(r->kind)), r->name, r->host_id, "still on the host"});
        }
    }
}

void add_credit_errors(std::int64_t batch_id, const CreditTakeBack& credits, RecoverOutcome& out) {
    for (const auto& c : credits.credits) {
        if (c.state == "taken_back" || c.state == "absent") continue;
        out.remaining.push_back(
            {batch_id, "balance_credit", c.user_email, std::nullopt, c.error.empty() ? "state " + c.state : c.error});
    }
}

// Undoes an unfinished closure of an installed provider: its user / subscription / key and
// balance credits, so a re-run of `engine access` starts clean.
Result<void> undo_closure(OpContext& ctx, AccessClosureRecord closure, std::vector<ResourceRecord>& records,
                          RecoverOutcome& out) {
    std::vector<ResourceRecord*> targets;
    for (auto& r : records) {
        bool access_kind =
            r.kind == ResourceKind::user || r.kind == ResourceKind::subscription || r.kind == ResourceKind::api_key;
        if (access_kind && r.mode == closure.mode && may_exist(r)) targets.push_back(&r);
    }
    const std::size_t left_before = out.remaining.size();
    delete_and_check(ctx, targets, out);
    auto credits = take_back_credits(ctx, closure.batch_id, closure.mode);
    if (!credits) return std::unexpected(credits.error());
    add_credit_errors(closure.batch_id, *credits, out);
    if (!targets.empty() || !credits->credits.empty()) {
        out.notes.push_back(
            fmt::format("batch {}: undid the unfinished {} access closure ({} resources, {} balance credits)",
                        closure.batch_id, to_string(closure.mode), targets.size(), credits->credits.size()));
    }
    if (out.remaining.size() != left_before) return {};  // keep the credentials: they are still needed
    if (closure.managed_user) {
        closure.user_id.reset();
        closure.user_email.clear();
        closure.user_password.clear();
    }
    closure.key_id.reset();
    closure.api_key.clear();
    closure.subscription_id.reset();
    CRM_TRY_VOID(ctx.store.upsert_access(closure));
    return {};
}

Result<void> roll_back_batch(OpContext& ctx, const BatchRecord& batch, RecoverOutcome& out) {
    CRM_TRY(rb, run_rollback(ctx, batch.id));
    if (rb.batch_status == BatchStatus::rolled_back) {
        out.batches_rolled_back.push_back(batch.id);
        return {};
    }
    out.batches_failed.push_back(batch.id);
    for (const auto& r : rb.remaining) {
        out.remaining.push_back({batch.id, std::string(to_string(r.kind)), r.name, r.host_id, r.error});
    }
    for (const auto& c : rb.balance_credits) {
        if (c.state == "taken_back" || c.state == "absent") continue;
        out.remaining.push_back(
            {batch.id, "balance_credit", c.user_email, std::nullopt, c.error.empty() ? "state " + c.state : c.error});
    }
    if (rb.remaining.empty()) out.notes.push_back(fmt::format("batch {}: {}", batch.id, rb.error));
    return {};
}

}  // namespace

Result<RecoverOutcome> run_recover(OpContext& ctx) {
    RecoverOutcome out;
    auto batches = ctx.store.batches(ctx.host_id);
    if (!batches) return std::unexpected(batches.error());
    for (const auto& batch : *batches) {
        CRM_TRY(records, ctx.store.resources(batch.id));
        for (auto& r : records) {
            if (r.state != ResourceState::intent) continue;
            CRM_TRY(found, resolve_intent(ctx, r));
            ++out.intents_resolved;
            if (found) ++out.intents_found_on_host;
        }

        const bool run_owned = !batch.owner_run.empty();
        if (batch.status == BatchStatus::pending || batch.status == BatchStatus::running) {
            auto s = ctx.store.set_batch_status(batch.id, BatchStatus::failed, std::nullopt,
                                                "interrupted; failed by recover");
            if (!s) return std::unexpected(s.error());
            CRM_TRY_VOID(roll_back_batch(ctx, batch, out));
            continue;
        }
        if (batch.status == BatchStatus::rollback_failed ||
            (run_owned && (batch.status == BatchStatus::succeeded || batch.status == BatchStatus::failed))) {
            CRM_TRY_VOID(roll_back_batch(ctx, batch, out));
            continue;
        }
        if (batch.status == BatchStatus::rolled_back) {
            // rolled_back is final; a rollback leaves no created rows, resolved intents may have.
            std::vector<ResourceRecord*> targets;
            for (auto& r : records) {
                if (may_exist(r)) targets.push_back(&r);
            }
            if (targets.empty()) continue;
            delete_and_check(ctx, targets, out);
            out.batches_rolled_back.push_back(batch.id);
            continue;
        }
        // An installed provider (succeeded or failed, no owner run) stays; only its unfinished
        // access closures are undone.
        out.batches_kept.push_back(batch.id);
        if (batch.status != BatchStatus::succeeded) continue;
        CRM_TRY(closures, ctx.store.access_closures(batch.id));
        for (const auto& c : closures) {
            if (c.access_status != AccessStatus::none) continue;
            CRM_TRY_VOID(undo_closure(ctx, c, records, out));
        }
    }
    ctx.emit("recover", fmt::format("{} intents resolved ({} found on the host), {} batches rolled back, {} owned "
                                    "left on the host",
                                    out.intents_resolved, out.intents_found_on_host, out.batches_rolled_back.size(),
                                    out.remaining.size()));
    return out;
}

}  // namespace crm::engine
