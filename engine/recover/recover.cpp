#include "engine/recover/recover.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/access/reused_user_credit.hpp"
#include "engine/host/host_resources.hpp"
#include "engine/rollback/rollback.hpp"

namespace crm::engine {

using util::Result;

namespace {

// Deletes the owned user / subscription / key of an unfinished closure.
Result<bool> undo_closure(OpContext& ctx, AccessClosureRecord closure, std::vector<ResourceRecord>& records,
                          std::vector<std::string>& notes) {
    std::vector<ResourceRecord*> order;
    for (auto& r : records) {
        bool access_kind = r.kind == ResourceKind::user || r.kind == ResourceKind::subscription ||
                           r.kind == ResourceKind::api_key;
        if (access_kind && r.mode == closure.mode &&
            (r.state == ResourceState::created || r.state == ResourceState::delete_failed)) {
            order.push_back(&r);
        }
    }
    std::stable_sort(order.begin(), order.end(), [](const ResourceRecord* a, const ResourceRecord* b) {
        int ra = deletion_rank(a->kind), rb = deletion_rank(b->kind);
        return ra != rb ? ra < rb : a->ord > b->ord;
    });
    bool clean = true;
    for (auto* r : order) {
        auto del = remove_from_host(ctx, *r);
        if (del) {
            (void)ctx.store.mark_state(r->id, ResourceState::deleted);
        } else {
            clean = false;
            (void)ctx.store.mark_state(r->id, ResourceState::delete_failed, del.error().message);
            notes.push_back(fmt::format("batch {}: delete {} {}: {}", r->batch_id, to_string(r->kind), r->name,
                                        del.error().message));
        }
    }
    auto credits = take_back_credits(ctx, closure.batch_id, closure.mode);
    if (!credits) return std::unexpected(credits.error());
    for (const auto& e : credits->errors) {
        clean = false;
        notes.push_back(fmt::format("batch {}: {}", closure.batch_id, e));
    }
    if (!order.empty() || !credits->credits.empty()) {
        notes.push_back(fmt::format("batch {}: undid the unfinished {} access closure ({} resources, {} balance credits)",
                                    closure.batch_id, to_string(closure.mode), order.size(), credits->credits.size()));
    }
    if (closure.managed_user) {
        closure.user_id.reset();
        closure.user_email.clear();
        closure.user_password.clear();
    }
    closure.key_id.reset();
    closure.api_key.clear();
    closure.subscription_id.reset();
    if (auto s = ctx.store.upsert_access(closure); !s) return std::unexpected(s.error());
    return clean;
}

}  // namespace

Result<RecoverOutcome> run_recover(OpContext& ctx) {
    RecoverOutcome out;
    auto batches = ctx.store.batches(ctx.host_id);
    if (!batches) return std::unexpected(batches.error());
    for (const auto& batch : *batches) {
        auto records = ctx.store.resources(batch.id);
        if (!records) return std::unexpected(records.error());
        for (auto& r : *records) {
            if (r.state != ResourceState::intent) continue;
            auto found = resolve_intent(ctx, r);
            if (!found) return std::unexpected(found.error());
            ++out.intents_resolved;
            if (*found) ++out.intents_found_on_host;
        }

        bool roll_back = false;
        if (batch.status == BatchStatus::pending || batch.status == BatchStatus::running) {
            auto s = ctx.store.set_batch_status(batch.id, BatchStatus::failed, std::nullopt,
                                                "interrupted; failed by recover");
            if (!s) return std::unexpected(s.error());
            roll_back = true;
        } else if (batch.status == BatchStatus::rollback_failed) {
            roll_back = true;
        } else if (batch.status == BatchStatus::rolled_back) {
            // A rollback cannot leave created rows behind; resolved intents may have.
            roll_back = std::any_of(records->begin(), records->end(), [](const ResourceRecord& r) {
                return r.state == ResourceState::created || r.state == ResourceState::delete_failed;
            });
        }
        if (roll_back) {
            if (batch.status == BatchStatus::rolled_back) {
                // rolled_back is final: delete leftovers directly.
                for (auto& r : *records) {
                    if (r.state != ResourceState::created && r.state != ResourceState::delete_failed) continue;
                    if (remove_from_host(ctx, r)) (void)ctx.store.mark_state(r.id, ResourceState::deleted);
                }
                out.batches_rolled_back.push_back(batch.id);
                continue;
            }
            auto rb = run_rollback(ctx, batch.id);
            if (!rb) return std::unexpected(rb.error());
            if (rb->batch_status == BatchStatus::rolled_back) {
                out.batches_rolled_back.push_back(batch.id);
            } else {
                out.batches_failed.push_back(batch.id);
                out.notes.push_back(fmt::format("batch {}: {}", batch.id, rb->error));
            }
            continue;
        }
        if (batch.status != BatchStatus::succeeded) continue;
        auto closures = ctx.store.access_closures(batch.id);
        if (!closures) return std::unexpected(closures.error());
        for (const auto& c : *closures) {
            if (c.access_status != AccessStatus::none) continue;
            auto undone = undo_closure(ctx, c, *records, out.notes);
            if (!undone) return std::unexpected(undone.error());
            if (!*undone) out.batches_failed.push_back(batch.id);
        }
    }
    ctx.emit("recover", fmt::format("{} intents resolved ({} found on the host), {} batches rolled back",
                                    out.intents_resolved, out.intents_found_on_host, out.batches_rolled_back.size()));
    return out;
}

}  // namespace crm::engine
