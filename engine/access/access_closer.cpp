#include "engine/access/access_closer.hpp"

#include <fmt/format.h>

#include "engine/access/ready_check.hpp"
#include "engine/access/reused_user_credit.hpp"
#include "engine/import/import_planner.hpp"
#include "engine/ops/write_outcome.hpp"
#include "probes/account/account_probe.hpp"
#include "util/random.hpp"

namespace crm::engine {

namespace sub2api = probes::sub2api;
using util::ErrorCode;
using util::fail;
using util::Result;

Result<LatestAccessStatus> batch_latest_access(StateStore& store, std::int64_t batch_id) {
    CRM_TRY(batch, store.batch(batch_id));
    CRM_TRY(closures, store.access_closures(batch_id));
    std::map<AccessMode, AccessStatus> per_mode;
    for (const auto& c : closures) per_mode[c.mode] = c.access_status;
    return latest_access_status(batch.modes, per_mode);
}

AccountTestResult parse_account_test(std::int64_t account_id, int http_status, std::string_view body) {
    AccountTestResult out;
    out.account_id = account_id;
    if (http_status != 200) {
        out.detail = fmt::format("account test answered HTTP {}", http_status);
        out.advisory = http_status == 429;
        return out;
    }
    probes::account::AccountTestResult probe;
    probes::account::evaluate_account_test(probe, body, std::nullopt);
    out.success = probe.outcome == probes::account::AccountTestOutcome::passed;
    if (out.success) {
        out.detail = "test_complete";
    } else if (probe.outcome == probes::account::AccountTestOutcome::failed) {
        out.detail = probe.error_message.empty() ? std::string("error") : probe.error_message;
        out.advisory = probe.error_http_status == 429;
    } else {
        out.detail = "no test_complete event";
    }
    return out;
}

std::vector<AccountTestResult> test_accounts(OpContext& ctx, std::span<const std::int64_t> account_ids,
                                             std::string_view model) {
    std::vector<AccountTestResult> out;
    for (auto id : account_ids) {
        auto resp = ctx.admin.raw("POST", fmt::format("/api/v1/admin/accounts/{}/test", id),
                                  json::value(json::object{{"model_id", model}}), sub2api::AuthMode::admin);
        if (resp) {
            out.push_back(parse_account_test(id, resp->status, resp->body));
        } else {
            out.push_back({id, false, false, resp.error().message});
        }
    }
    return out;
}

namespace {

// Journals an intent, runs the create, records the host id. The intent stays unresolved unless
// the create certainly did not happen (ops/write_outcome.hpp); recover finds it by name.
template <class F>
Result<std::int64_t> owned_create(OpContext& ctx, ResourceRecord intent, F&& create) {
    CRM_TRY(row, ctx.store.journal_intent(intent));
    auto id = ctx.write(create);
    if (!id) {
        auto e = id.error();
        (void)ctx.store.mark_state(row, write_certainly_not_applied(e) ? ResourceState::absent : ResourceState::intent,
                                   fmt::format("create {} {}: {}", to_string(intent.kind), intent.name, e.message));
        return std::unexpected(e);
    }
    CRM_TRY_VOID(ctx.store.mark_created(row, *id));
    return *id;
}

}  // namespace

Result<AccessOutcome> run_access(OpContext& ctx, std::int64_t batch_id, AccessMode mode, const Provider& provider,
                                 const AccessOptions& options, sub2api::KeyRoute key_route) {
    auto batch = ctx.store.batch(batch_id);
    if (!batch) return std::unexpected(batch.error());
    if (batch->status != BatchStatus::succeeded) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("batch {} is {}; access can be closed only for a succeeded import", batch_id,
                                to_string(batch->status)));
    }
    CRM_TRY(records, ctx.store.resources(batch_id));
    std::optional<std::int64_t> group_id;
    std::vector<std::int64_t> account_ids;
    for (const auto& r : records) {
        if (r.state != ResourceState::created || !r.host_id) continue;
        if (r.kind == ResourceKind::group && r.mode == mode) group_id = r.host_id;
        if (r.kind == ResourceKind::account) account_ids.push_back(*r.host_id);
    }
    if (!group_id) {
        std::string modes;
        for (auto m : batch->modes) modes += (modes.empty() ? "" : ", ") + std::string(to_string(m));
        return fail(ErrorCode::invalid_input,
                    fmt::format("batch {} has no {} group (imported modes: {})", batch_id, to_string(mode), modes));
    }
    auto group = ctx.admin.get_group(*group_id);
    if (!group) return std::unexpected(group.error());
    if (group->subscription_type != subscription_type_for(mode)) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("group {} is a {} group; mode {} needs a {} group", group->name,
                                group->subscription_type, to_string(mode), subscription_type_for(mode)));
    }

    AccessOutcome out;
    out.batch_id = batch_id;
    out.mode = mode;
    out.group_id = group_id;
    out.smoke_test_model = provider.smoke_test_model;

    AccessClosureRecord closure;
    closure.batch_id = batch_id;
    closure.mode = mode;
    closure.group_id = group_id;
    closure.access_status = AccessStatus::none;
    auto prev = ctx.store.access(batch_id, mode);
    if (!prev) return std::unexpected(prev.error());
    if (*prev) closure = **prev;
    closure.group_id = group_id;

    auto broken = [&](std::string message, std::optional<ErrorCode> code = std::nullopt) -> Result<AccessOutcome> {
        closure.access_status = AccessStatus::broken;
        closure.evidence_json = json::serialize(json::object{{"error", message}});
        CRM_TRY_VOID(ctx.store.upsert_access(closure));
        out.access_status = AccessStatus::broken;
        out.error = std::move(message);
        out.error_code = code;
        out.user_id = closure.user_id;
        out.key_id = closure.key_id;
        out.subscription_id = closure.subscription_id;
        CRM_TRY(latest, batch_latest_access(ctx.store, batch_id));
        out.latest_access_status = latest;
        ctx.emit("access", fmt::format("batch {} {}: broken: {}", batch_id, to_string(mode), out.error), batch_id);
        return out;
    };

    // 2. the ordinary user
    const std::string mode_tag = mode == AccessMode::self_service ? "std" : "sub";
    std::optional<std::int64_t> user_row;
    if (options.reuse_user) {
        closure.managed_user = false;
        closure.user_email = options.reuse_user->email;
        closure.user_password = options.reuse_user->password;
        ctx.secrets.add(closure.user_password);
        auto users = ctx.admin.list_users({{"search", closure.user_email}});
        if (!users)
            return broken(fmt::format("find user {}: {}", closure.user_email, users.error().message),
                          users.error().code);
        closure.user_id.reset();
        for (const auto& u : *users) {
            if (u.email == closure.user_email) closure.user_id = u.id;
        }
        if (!closure.user_id)
            return broken(fmt::format("operator-supplied user {} does not exist on the host", closure.user_email));
    } else if (!closure.managed_user || !closure.user_id) {
        closure.managed_user = true;
        closure.user_email =
            fmt::format("{}-{}-{}@probe.crm-accept.local", batch->name_prefix, mode_tag, util::random_hex(4));
        closure.user_password = "P" + util::random_hex(12);
        ctx.secrets.add(closure.user_password);
        ResourceRecord intent;
        intent.batch_id = batch_id;
        intent.kind = ResourceKind::user;
        intent.name = closure.user_email;
        intent.mode = mode;
        // Save the credentials before the user exists, so a crash right after the create still
        // leaves a usable login for rollback.
        CRM_TRY_VOID(ctx.store.upsert_access(closure));
        sub2api::UserCreate uc;
        uc.email = closure.user_email;
        uc.password = closure.user_password;
        uc.username = fmt::format("{}-{}", batch->name_prefix, mode_tag);
        uc.notes = fmt::format("crm-accept probe user, batch {}", batch_id);
        auto id = owned_create(ctx, intent, [&]() -> Result<std::int64_t> {
            auto u = ctx.admin.create_user(uc);
            return u ? Result<std::int64_t>(u->id) : std::unexpected(u.error());
        });
        if (!id) return broken(fmt::format("create user: {}", id.error().message), id.error().code);
        closure.user_id = *id;
    }
    out.managed_user = closure.managed_user;
    out.user_id = closure.user_id;
    CRM_TRY_VOID(ctx.store.upsert_access(closure));
    const std::int64_t user_id = *closure.user_id;
    const bool provision = closure.managed_user || options.provision_reused_user;

    // 3. balance or subscription
    if (mode == AccessMode::self_service) {
        if (provision) {
            if (closure.managed_user) {
                // Deleted with the user on rollback: nothing to take back.
                auto b = ctx.write([&] {
                    return ctx.admin.update_balance(user_id, options.balance_usd, "add", "crm-accept probe balance");
                });
                if (!b) return broken(fmt::format("add balance: {}", b.error().message), b.error().code);
            } else if (auto b =
                           credit_reused_user(ctx, batch_id, mode, user_id, closure.user_email, options.balance_usd);
                       !b) {
                return broken(fmt::format("add balance: {}", b.error().message), b.error().code);
            }
        } else {
            auto u = ctx.admin.get_user(user_id);
            if (!u) return broken(fmt::format("read user: {}", u.error().message), u.error().code);
            if (u->balance <= 0)
                return broken(fmt::format("access precondition missing: user {} has no balance", closure.user_email));
        }
    } else {
        sub2api::SubscriptionFilter f;
        f.user_id = user_id;
        f.group_id = *group_id;
        auto subs = ctx.admin.list_subscriptions(f);
        if (!subs) return broken(fmt::format("list subscriptions: {}", subs.error().message), subs.error().code);
        std::optional<std::int64_t> active;
        for (const auto& s : *subs) {
            if (s.group_id == *group_id && s.user_id == user_id && s.status == "active") active = s.id;
        }
        if (!active && !provision) {
            return broken(fmt::format("access precondition missing: user {} has no active subscription to group {}",
                                      closure.user_email, group->name));
        }
        if (!active) {
            ResourceRecord intent;
            intent.batch_id = batch_id;
            intent.kind = ResourceKind::subscription;
            intent.name = fmt::format("{}:{}", closure.user_email, group->name);
            intent.mode = mode;
            intent.spec_json = json::serialize(json::object{{"user_id", user_id}, {"group_id", *group_id}});
            int days = options.subscription_validity_days > 0 ? options.subscription_validity_days
                                                              : provider.subscription_validity_days;
            auto id = owned_create(ctx, intent, [&]() -> Result<std::int64_t> {
                auto s = ctx.admin.assign_subscription(user_id, *group_id, days > 0 ? days : 30, "crm-accept");
                return s ? Result<std::int64_t>(s->id) : std::unexpected(s.error());
            });
            if (!id) return broken(fmt::format("assign subscription: {}", id.error().message), id.error().code);
            active = *id;
        }
        closure.subscription_id = active;
        out.subscription_id = active;
    }

    // 4. the API key, bound to the group
    const bool fork_route = key_route == sub2api::KeyRoute::admin_fork_route;
    out.key_route = fork_route ? "admin_fork_route" : "user_login";
    if (key_route == sub2api::KeyRoute::unavailable) {
        return broken("the host offers no way to create a user key (no fork admin route, user logins refused)");
    }
    ResourceRecord key_intent;
    key_intent.batch_id = batch_id;
    key_intent.kind = ResourceKind::api_key;
    key_intent.name = fmt::format("{}-{}-key-{}", batch->name_prefix, mode_tag, util::random_hex(3));
    key_intent.mode = mode;
    key_intent.spec_json = json::serialize(json::object{{"user_id", user_id}, {"group_id", *group_id}});
    std::string api_key;
    auto key_id = owned_create(ctx, key_intent, [&]() -> Result<std::int64_t> {
        Result<sub2api::ApiKey> k = std::unexpected(util::Error{});
        if (fork_route) {
            k = ctx.admin.create_key_admin(user_id, key_intent.name, *group_id);
        } else {
            CRM_TRY(session, ctx.admin.login_user(closure.user_email, closure.user_password));
            k = ctx.admin.create_key_as_user(session.access_token, key_intent.name, *group_id);
        }
        if (!k) return std::unexpected(k.error());
        api_key = k->key;
        return k->id;
    });
    if (!key_id) return broken(fmt::format("create API key: {}", key_id.error().message), key_id.error().code);
    ctx.secrets.add(api_key);
    closure.key_id = *key_id;
    closure.api_key = api_key;
    out.key_id = *key_id;
    out.api_key = api_key;
    CRM_TRY_VOID(ctx.store.upsert_access(closure));

    // 5. account tests: evidence only. A transient 429 is marked advisory; no result here
    //    changes the status, which the gateway ready rule alone decides.
    if (options.account_test) out.account_tests = test_accounts(ctx, account_ids, provider.smoke_test_model);
    // 6. the ready rule
    out.ready =
        check_ready(ctx.http, ctx.host_url, api_key, provider.smoke_test_model, options.stream_check, ctx.timeouts);
    if (!out.ready.ready()) return broken(out.ready.detail.empty() ? std::string("not ready") : out.ready.detail);

    closure.access_status = ready_status(mode);
    closure.evidence_json = json::serialize(out.ready.to_json());
    CRM_TRY_VOID(ctx.store.upsert_access(closure));
    out.access_status = closure.access_status;
    CRM_TRY(latest, batch_latest_access(ctx.store, batch_id));
    out.latest_access_status = latest;
    ctx.emit("access", fmt::format("batch {} {}: {}", batch_id, to_string(mode), to_string(out.access_status)),
             batch_id);
    return out;
}

}  // namespace crm::engine
