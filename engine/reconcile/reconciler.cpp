#include "engine/reconcile/reconciler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/host/host_resources.hpp"
#include "engine/import/import_planner.hpp"

namespace crm::engine {

namespace sub2api = probes::sub2api;
using util::ErrorCode;
using util::Result;

namespace {

json::value spec_of(const ResourceRecord& r) {
    auto v = util::parse_json(r.spec_json, "spec");
    return v ? *v : json::value(json::object{});
}

std::string brief(const json::value& v) {
    auto s = json::serialize(v);
    return s.size() > 160 ? s.substr(0, 157) + "..." : s;
}

std::set<std::int64_t> as_set(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

std::string ids(const std::set<std::int64_t>& s) {
    std::string out;
    for (auto i : s) out += (out.empty() ? "" : ",") + std::to_string(i);
    return "[" + out + "]";
}

struct Checker {
    OpContext& ctx;
    const BatchRecord& batch;
    std::set<std::int64_t> group_ids;
    ReconcileOutcome& out;

    void drift(const ResourceRecord& r, std::string issue, std::string detail) {
        out.drift.push_back({r.kind, r.name, r.host_id, std::move(issue), std::move(detail)});
    }

    // Returns false (and records an error as drift detail) when the read failed for another
    // reason than 404.
    template <class T>
    bool present(const ResourceRecord& r, const Result<T>& got) {
        if (got) return true;
        if (got.error().code == ErrorCode::not_found) {
            drift(r, "missing", "the host no longer has it");
        } else {
            drift(r, "unknown", "read-back failed: " + got.error().message);
        }
        return false;
    }

    void check(const ResourceRecord& r) {
        const auto id = *r.host_id;
        const auto spec = spec_of(r);
        switch (r.kind) {
            case ResourceKind::group: {
                auto g = ctx.admin.get_group(id);
                if (!present(r, g)) return;
                if (g->platform != batch.platform)
                    drift(r, "modified", fmt::format("platform {} (expected {})", g->platform, batch.platform));
                auto want = subscription_type_for(r.mode.value_or(AccessMode::self_service));
                if (g->subscription_type != want)
                    drift(r, "modified", fmt::format("subscription_type {} (expected {})", g->subscription_type, want));
                if (g->status == "inactive") drift(r, "modified", "status inactive");
                return;
            }
            case ResourceKind::account: {
                auto a = ctx.admin.get_account(id);
                if (!present(r, a)) return;
                if (a->platform != batch.platform)
                    drift(r, "modified", fmt::format("platform {} (expected {})", a->platform, batch.platform));
                if (as_set(a->group_ids) != group_ids)
                    drift(r, "modified",
                          fmt::format("group_ids {} (expected {})", ids(as_set(a->group_ids)), ids(group_ids)));
                const auto* want = util::find_path(spec, "credentials.model_mapping");
                const json::value creds(a->credentials);
                const auto* have = util::find(creds, "model_mapping");
                if (want && have && *want != *have) drift(r, "modified", "credentials.model_mapping " + brief(*have));
                if (a->status == "inactive") drift(r, "modified", "status inactive");
                return;
            }
            case ResourceKind::channel: {
                auto c = ctx.admin.get_channel(id);
                if (!present(r, c)) return;
                if (!c->restrict_models) drift(r, "modified", "restrict_models false (expected true)");
                if (c->billing_model_source != "channel_mapped")
                    drift(r, "modified",
                          fmt::format("billing_model_source {} (expected channel_mapped)", c->billing_model_source));
                const json::value mapping(c->model_mapping);
                if (const auto* want = util::find(spec, "model_mapping"); want && mapping != *want)
                    drift(r, "modified", "model_mapping " + brief(mapping));
                if (as_set(c->group_ids) != group_ids)
                    drift(r, "modified",
                          fmt::format("group_ids {} (expected {})", ids(as_set(c->group_ids)), ids(group_ids)));
                if (c->status == "disabled") drift(r, "modified", "status disabled");
                return;
            }
            case ResourceKind::user: {
                auto u = ctx.admin.get_user(id);
                if (!present(r, u)) return;
                if (u->status == "disabled") drift(r, "modified", "status disabled");
                return;
            }
            case ResourceKind::subscription: {
                auto s = ctx.admin.get_subscription(id);
                if (!present(r, s)) return;
                if (s->status != "active") drift(r, "modified", fmt::format("status {} (expected active)", s->status));
                return;
            }
            case ResourceKind::api_key: {
                auto uid = spec_int(r, "user_id");
                auto gid = spec_int(r, "group_id");
                auto keys = uid ? ctx.admin.list_user_keys(*uid) : Result<std::vector<sub2api::ApiKey>>{};
                if (!present(r, keys)) return;
                for (const auto& k : *keys) {
                    if (k.id != id) continue;
                    if (k.group_id != gid)
                        drift(
                            r, "modified",
                            fmt::format("group_id {} (expected {})", k.group_id ? std::to_string(*k.group_id) : "none",
                                        gid ? std::to_string(*gid) : "none"));
                    return;
                }
                drift(r, "missing", "the user no longer has this key");
                return;
            }
        }
    }
};

}  // namespace

Result<ReconcileOutcome> run_reconcile(OpContext& ctx, std::int64_t batch_id) {
    auto batch = ctx.store.batch(batch_id);
    if (!batch) return std::unexpected(batch.error());
    CRM_TRY(records, ctx.store.resources(batch_id));

    ReconcileOutcome out;
    out.batch_id = batch_id;
    Checker checker{ctx, *batch, {}, out};
    for (const auto& r : records) {
        if (r.kind == ResourceKind::group && r.state == ResourceState::created && r.host_id) {
            checker.group_ids.insert(*r.host_id);
        }
    }
    for (const auto& r : records) {
        if (r.state != ResourceState::created || !r.host_id) continue;
        ++out.owned_checked;
        checker.check(r);
    }

    // Residue: what the host holds in this platform's scope that no batch here owns.
    CRM_TRY(live, ctx.store.live_resources(ctx.host_id));
    std::map<ResourceKind, std::set<std::int64_t>> owned;
    for (const auto& r : live) {
        if (r.host_id) owned[r.kind].insert(*r.host_id);
    }
    CRM_TRY(groups, ctx.admin.list_groups({{"platform", batch->platform}}));
    std::set<std::int64_t> scope_groups;
    for (const auto& g : groups) {
        if (g.platform != batch->platform) continue;
        scope_groups.insert(g.id);
        if (!owned[ResourceKind::group].contains(g.id))
            out.residue.push_back({ResourceKind::group, g.id, g.name, g.platform});
    }
    sub2api::AccountFilter af;
    af.platform = batch->platform;
    CRM_TRY(accounts, ctx.admin.list_accounts(af));
    for (const auto& a : accounts) {
        if (a.platform == batch->platform && !owned[ResourceKind::account].contains(a.id))
            out.residue.push_back({ResourceKind::account, a.id, a.name, a.platform});
    }
    auto channels = ctx.admin.list_channels();
    if (!channels) {
        // A host without channels has no channel residue.
        if (channels.error().code != ErrorCode::not_found) return std::unexpected(channels.error());
    } else {
        for (const auto& c : *channels) {
            if (owned[ResourceKind::channel].contains(c.id)) continue;
            bool in_scope = c.model_mapping.contains(batch->platform);
            for (auto gid : c.group_ids) in_scope = in_scope || scope_groups.contains(gid);
            if (in_scope) out.residue.push_back({ResourceKind::channel, c.id, c.name, batch->platform});
        }
    }

    out.status = out.drift.empty() ? "in_sync" : "drifted";
    ReconcileRunRecord run;
    run.batch_id = batch_id;
    run.status = out.status;
    run.drift_count = static_cast<std::int64_t>(out.drift.size());
    run.residue_count = static_cast<std::int64_t>(out.residue.size());
    run.report_json = json::serialize(out.to_json());
    CRM_TRY_VOID(ctx.store.record_reconcile(run));
    if (!out.drift.empty() && batch->status == BatchStatus::succeeded) {
        (void)ctx.store.set_provider_status(batch_id, ProviderStatus::broken);
    } else if (out.drift.empty() && batch->status == BatchStatus::succeeded) {
        (void)ctx.store.set_provider_status(batch_id, ProviderStatus::active);
    }
    ctx.emit(
        "reconcile",
        fmt::format("batch {} {} ({} drift, {} residue)", batch_id, out.status, out.drift.size(), out.residue.size()),
        batch_id);
    return out;
}

}  // namespace crm::engine
