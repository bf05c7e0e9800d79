#include "engine/host/host_resources.hpp"

#include <fmt/format.h>

namespace crm::engine {

namespace sub2api = probes::sub2api;
using util::ErrorCode;
using util::fail;
using util::Result;

std::optional<std::int64_t> spec_int(const ResourceRecord& r, std::string_view key) {
    auto v = util::parse_json(r.spec_json, "spec");
    if (!v) return std::nullopt;
    return util::get_int(*v, key);
}

namespace {

template <class T>
std::optional<std::int64_t> by_name(const std::vector<T>& items, const std::string& name) {
    for (const auto& i : items) {
        if (i.name == name) return i.id;
    }
    return std::nullopt;
}

// The password of the user a key belongs to, from the batch's access closures.
std::optional<std::pair<std::string, std::string>> user_login_for(OpContext& ctx, const ResourceRecord& key) {
    if (!key.mode) return std::nullopt;
    auto a = ctx.store.access(key.batch_id, *key.mode);
    if (!a || !a->has_value() || (*a)->user_email.empty() || (*a)->user_password.empty()) return std::nullopt;
    return std::make_pair((*a)->user_email, (*a)->user_password);
}

bool user_owned_by_batch(OpContext& ctx, const ResourceRecord& key) {
    auto uid = spec_int(key, "user_id");
    auto rs = ctx.store.resources(key.batch_id);
    if (!uid || !rs) return false;
    for (const auto& r : *rs) {
        if (r.kind == ResourceKind::user && r.host_id == uid &&
            (r.state == ResourceState::created || r.state == ResourceState::delete_failed)) {
            return true;
        }
    }
    return false;
}

}  // namespace

Result<std::optional<std::int64_t>> find_by_name(OpContext& ctx, const ResourceRecord& r) {
    using R = Result<std::optional<std::int64_t>>;
    switch (r.kind) {
        case ResourceKind::group: {
            auto l = ctx.admin.list_groups({{"search", r.name}});
            return l ? R(by_name(*l, r.name)) : std::unexpected(l.error());
        }
        case ResourceKind::account: {
            sub2api::AccountFilter f;
            f.search = r.name;
            auto l = ctx.admin.list_accounts(f);
            return l ? R(by_name(*l, r.name)) : std::unexpected(l.error());
        }
        case ResourceKind::channel: {
            auto l = ctx.admin.list_channels({{"search", r.name}});
            return l ? R(by_name(*l, r.name)) : std::unexpected(l.error());
        }
        case ResourceKind::user: {
            CRM_TRY(l, ctx.admin.list_users({{"search", r.name}}));
            for (const auto& u : l) {
                if (u.email == r.name) return std::optional<std::int64_t>(u.id);
            }
            return std::optional<std::int64_t>{};
        }
        case ResourceKind::subscription: {
            sub2api::SubscriptionFilter f;
            f.user_id = spec_int(r, "user_id");
            f.group_id = spec_int(r, "group_id");
            if (!f.user_id || !f.group_id) return std::optional<std::int64_t>{};
            CRM_TRY(l, ctx.admin.list_subscriptions(f));
            for (const auto& s : l) {
                if (s.user_id == *f.user_id && s.group_id == *f.group_id && s.status == "active") {
                    return std::optional<std::int64_t>(s.id);
                }
            }
            return std::optional<std::int64_t>{};
        }
        case ResourceKind::api_key: {
            auto uid = spec_int(r, "user_id");
            if (!uid) return std::optional<std::int64_t>{};
            auto l = ctx.admin.list_user_keys(*uid);
            if (!l) {
                if (l.error().code == ErrorCode::not_found) return std::optional<std::int64_t>{};
                return std::unexpected(l.error());
            }
            return R(by_name(*l, r.name));
        }
    }
    return std::optional<std::int64_t>{};
}

Result<bool> exists_on_host(OpContext& ctx, const ResourceRecord& r) {
    if (!r.host_id) {
        CRM_TRY(found, find_by_name(ctx, r));
        return found.has_value();
    }
    const std::int64_t id = *r.host_id;
    auto gone = [](const util::Error& e) { return e.code == ErrorCode::not_found; };
    switch (r.kind) {
        case ResourceKind::group: {
            auto g = ctx.admin.get_group(id);
            if (g) return true;
            return gone(g.error()) ? Result<bool>(false) : std::unexpected(g.error());
        }
        case ResourceKind::account: {
            auto a = ctx.admin.get_account(id);
            if (a) return true;
            return gone(a.error()) ? Result<bool>(false) : std::unexpected(a.error());
        }
        case ResourceKind::channel: {
            auto c = ctx.admin.get_channel(id);
            if (c) return true;
            return gone(c.error()) ? Result<bool>(false) : std::unexpected(c.error());
        }
        case ResourceKind::user: {
            auto u = ctx.admin.get_user(id);
            if (u) return u->status != "deleted";
            return gone(u.error()) ? Result<bool>(false) : std::unexpected(u.error());
        }
        case ResourceKind::subscription: {
            auto s = ctx.admin.get_subscription(id);
            if (s) return s->status == "active";
            return gone(s.error()) ? Result<bool>(false) : std::unexpected(s.error());
        }
        case ResourceKind::api_key: {
            auto uid = spec_int(r, "user_id");
            if (!uid) return false;
            auto keys = ctx.admin.list_user_keys(*uid);
            if (!keys) return gone(keys.error()) ? Result<bool>(false) : std::unexpected(keys.error());
            for (const auto& k : *keys) {
                if (k.id == id && k.status != "deleted") return true;
            }
            return false;
        }
    }
    return false;
}

Result<void> remove_from_host(OpContext& ctx, const ResourceRecord& r) {
    if (!r.host_id) return {};
    const std::int64_t id = *r.host_id;
    Result<void> result;
    switch (r.kind) {
        case ResourceKind::group:
            result = ctx.write([&] { return ctx.admin.delete_group(id); });
            break;
        case ResourceKind::account:
            result = ctx.write([&] { return ctx.admin.delete_account(id); });
            break;
        case ResourceKind::channel:
            result = ctx.write([&] { return ctx.admin.delete_channel(id); });
            break;
        case ResourceKind::user:
            result = ctx.write([&] { return ctx.admin.delete_user(id); });
            break;
        case ResourceKind::subscription:
            result = ctx.write([&] { return ctx.admin.delete_subscription(id); });
            break;
        case ResourceKind::api_key: {
            auto login = user_login_for(ctx, r);
            if (login) {
                auto session = ctx.admin.login_user(login->first, login->second);
                if (session) {
                    result = ctx.write([&] { return ctx.admin.delete_key_as_user(session->access_token, id); });
                    break;
                }
                if (session.error().code == ErrorCode::not_found) return {};
                if (!user_owned_by_batch(ctx, r)) return std::unexpected(session.error());
            }
            if (user_owned_by_batch(ctx, r)) return {};  // goes with its user
            return fail(ErrorCode::host_rejected,
                        fmt::format("api key {} cannot be deleted: no user login stored for it and its user "
                                    "is not owned by the batch",
                                    r.name));
        }
    }
    if (!result && result.error().code == ErrorCode::not_found) return {};
    return result;
}

}  // namespace crm::engine
