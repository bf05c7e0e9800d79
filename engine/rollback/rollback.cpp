#include "engine/rollback/rollback.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/access/reused_user_credit.hpp"
#include "engine/host/host_resources.hpp"
#include "engine/import/importer.hpp"

namespace crm::engine {

using util::ErrorCode;
using util::fail;
using util::Result;

Result<bool> resolve_intent(OpContext& ctx, ResourceRecord& r) {
    if (r.state != ResourceState::intent) return r.host_id.has_value();
    auto found = r.host_id ? Result<std::optional<std::int64_t>>(r.host_id) : find_by_name(ctx, r);
    if (!found) return std::unexpected(found.error());
    if (found->has_value()) {
        CRM_TRY_VOID(ctx.store.mark_created(r.id, **found));
        r.host_id = **found;
        r.state = ResourceState::created;
        return true;
    }
    CRM_TRY_VOID(ctx.store.mark_state(r.id, ResourceState::absent, "intent never reached the host"));
    r.state = ResourceState::absent;
    return false;
}

namespace {

// Deletes every owned resource from the host in dependency order (channels before groups ...),
// recording each result in the store; failures are appended to `errors`.
void delete_owned(OpContext& ctx, std::vector<ResourceRecord>& records, std::int64_t batch_id,
                  std::vector<std::string>& errors) {
    std::vector<ResourceRecord*> order;
    for (auto& r : records) {
        if (r.state == ResourceState::created || r.state == ResourceState::delete_failed) order.push_back(&r);
    }
    std::stable_sort(order.begin(), order.end(), [](const ResourceRecord* a, const ResourceRecord* b) {
        int ra = deletion_rank(a->kind), rb = deletion_rank(b->kind);
        return ra != rb ? ra < rb : a->ord > b->ord;
    });
    ctx.emit("rollback", fmt::format("batch {}: deleting {} owned resources", batch_id, order.size()), batch_id);
    for (auto* r : order) {
        auto del = remove_from_host(ctx, *r);
        if (del) {
            (void)ctx.store.mark_state(r->id, ResourceState::deleted);
            r->state = ResourceState::deleted;
        } else {
            std::string msg = fmt::format("delete {} {}: {}", to_string(r->kind), r->name, del.error().message);
            (void)ctx.store.mark_state(r->id, ResourceState::delete_failed, msg);
            r->state = ResourceState::delete_failed;
            r->error = msg;
            errors.push_back(msg);
        }
    }
}

// Reads back every resource that ever reached the host; what is still there goes to
// `out.remaining` (a deleted one that is still present becomes delete_failed).
void read_back(OpContext& ctx, std::vector<ResourceRecord>& records, RollbackOutcome& out) {
    for (auto& r : records) {
        if (!r.host_id && r.state != ResourceState::intent) continue;
        if (r.state == ResourceState::absent) continue;
        ++out.host_checks;
        auto present = exists_on_host(ctx, r);
        if (!present) {
            out.remaining.push_back(
                {r.kind, r.name, r.mode, r.host_id, r.state, "read-back failed: " + present.error().message});
            continue;
        }
        if (*present) {
            if (r.state == ResourceState::deleted) {
                (void)ctx.store.mark_state(r.id, ResourceState::delete_failed, "still on the host after delete");
                r.state = ResourceState::delete_failed;
            }
            out.remaining.push_back({r.kind, r.name, r.mode, r.host_id, r.state, "still on the host"});
        }
    }
}

}  // namespace

Result<RollbackOutcome> run_rollback(OpContext& ctx, std::int64_t batch_id) {
    auto batch = ctx.store.batch(batch_id);
    if (!batch) return std::unexpected(batch.error());
    if (batch->status == BatchStatus::pending || batch->status == BatchStatus::running) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("batch {} is {}: an import may still be running; if its process is gone, "
                                "run `crm-accept engine recover`",
                                batch_id, to_string(batch->status)));
    }
    CRM_TRY(records, ctx.store.resources(batch_id));

    RollbackOutcome out;
    out.batch_id = batch_id;
    std::vector<std::string> errors;

    // 1. intents: find what a crashed or cut-short create left on the host.
    for (auto& r : records) {
        if (r.state != ResourceState::intent) continue;
        if (auto res = resolve_intent(ctx, r); !res) {
            errors.push_back(fmt::format("resolve {} {}: {}", to_string(r.kind), r.name, res.error().message));
        }
    }

    // 2. delete in dependency order.
    delete_owned(ctx, records, batch_id, errors);

    // 3. balance added to operator-supplied users (who are not ours to delete).
    auto credits = take_back_credits(ctx, batch_id);
    if (!credits) return std::unexpected(credits.error());
    out.balance_credits = std::move(credits->credits);
    errors.insert(errors.end(), credits->errors.begin(), credits->errors.end());

    // 4. read back every resource that ever reached the host.
    read_back(ctx, records, out);

    const bool clean = out.remaining.empty() && credits->errors.empty();
    const auto status = clean ? BatchStatus::rolled_back : BatchStatus::rollback_failed;
    if (!clean && errors.empty())
        errors.push_back(fmt::format("{} owned resources remain on the host", out.remaining.size()));
    std::string error;
    for (const auto& e : errors) error += (error.empty() ? "" : "; ") + e;
    if (auto s = ctx.store.set_batch_status(batch_id, status, std::nullopt, clean ? std::string{} : error); !s) {
        return std::unexpected(s.error());
    }
    if (clean) {
        if (auto closures = ctx.store.access_closures(batch_id)) {
            for (auto a : *closures) {
                a.access_status = AccessStatus::none;
                (void)ctx.store.upsert_access(a);
            }
        }
    }
    out.batch_status = status;
    out.error = clean ? std::string{} : error;
    if (auto rs = ctx.store.resources(batch_id)) out.resources = resource_views(*rs);
    ctx.emit("rollback", fmt::format("batch {} {}", batch_id, to_string(status)), batch_id);
    return out;
}

}  // namespace crm::engine
