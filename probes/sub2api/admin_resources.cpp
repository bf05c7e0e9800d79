// Typed resource helpers of AdminClient: thin mappings from routes to DTOs. The envelope, auth,
// compliance and secret handling all live in admin_client.cpp.
#include <fmt/format.h>

#include "probes/sub2api/admin_client.hpp"
#include "probes/sub2api/dto_json.hpp"

namespace crm::probes::sub2api {

using util::ErrorCode;
using util::fail;

namespace {

constexpr std::string_view k_groups = "/api/v1/admin/groups";
constexpr std::string_view k_accounts = "/api/v1/admin/accounts";
constexpr std::string_view k_channels = "/api/v1/admin/channels";
constexpr std::string_view k_users = "/api/v1/admin/users";
constexpr std::string_view k_subscriptions = "/api/v1/admin/subscriptions";

std::string item_path(std::string_view base, std::int64_t id) { return fmt::format("{}/{}", base, id); }

template <class T, class F>
util::Result<T> map_one(util::Result<json::value> data, F&& from_json, std::string_view what) {
    if (!data) return std::unexpected(data.error());
    return from_json(*data, what);
}

template <class T, class F>
util::Result<std::vector<T>> map_all(util::Result<std::vector<json::value>> items, F&& from_json,
                                     std::string_view what) {
    if (!items) return std::unexpected(items.error());
    std::vector<T> out;
    out.reserve(items->size());
    for (const auto& item : *items) {
        CRM_TRY(v, from_json(item, what));
        out.push_back(std::move(v));
    }
    return out;
}

util::Result<void> discard(util::Result<json::value> data) {
    if (!data) return std::unexpected(data.error());
    return {};
}

}  // namespace

// --- groups ----------------------------------------------------------------------------------

util::Result<Group> AdminClient::create_group(const GroupCreate& group, const RequestOptions& options) {
    return map_one<Group>(post(k_groups, json::value_from(group), options), group_from_json,
                          fmt::format("POST {}", k_groups));
}

util::Result<Group> AdminClient::get_group(std::int64_t id) {
    auto path = item_path(k_groups, id);
    return map_one<Group>(get(path), group_from_json, "GET " + path);
}

util::Result<Group> AdminClient::update_group(std::int64_t id, const json::object& patch) {
    auto path = item_path(k_groups, id);
    return map_one<Group>(put(path, patch), group_from_json, "PUT " + path);
}

util::Result<void> AdminClient::delete_group(std::int64_t id) { return discard(del(item_path(k_groups, id))); }

util::Result<std::vector<Group>> AdminClient::list_groups(const Query& query) {
    return map_all<Group>(list_all(k_groups, query), group_from_json, fmt::format("GET {}", k_groups));
}

// --- accounts --------------------------------------------------------------------------------

util::Result<Account> AdminClient::create_account(const AccountCreate& account, const RequestOptions& options) {
    return map_one<Account>(post(k_accounts, json::value_from(account), options), account_from_json,
                            fmt::format("POST {}", k_accounts));
}

util::Result<Account> AdminClient::get_account(std::int64_t id) {
    auto path = item_path(k_accounts, id);
    return map_one<Account>(get(path), account_from_json, "GET " + path);
}

util::Result<Account> AdminClient::update_account(std::int64_t id, json::object patch) {
    auto path = item_path(k_accounts, id);
    if (auto* changes = patch.if_contains("credentials")) {
        if (!changes->is_object()) {
            return fail(ErrorCode::invalid_input, fmt::format("PUT {}: credentials must be an object", path));
        }
        // The host replaces non-sensitive credential keys wholesale on PUT (sub2api admin API), so
        // a partial map would silently drop base_url & co: start from what the host holds.
        CRM_TRY(current, get_account(id));
        json::object merged = current.credentials;
        for (const auto& [k, v] : changes->get_object()) merged[k] = v;
        patch["credentials"] = std::move(merged);
    }
    return map_one<Account>(put(path, patch), account_from_json, "PUT " + path);
}

util::Result<void> AdminClient::delete_account(std::int64_t id) { return discard(del(item_path(k_accounts, id))); }

util::Result<std::vector<Account>> AdminClient::list_accounts(const AccountFilter& filter) {
    Query q;
    if (!filter.platform.empty()) q.emplace_back("platform", filter.platform);
    if (!filter.type.empty()) q.emplace_back("type", filter.type);
    if (!filter.status.empty()) q.emplace_back("status", filter.status);
    if (!filter.search.empty()) q.emplace_back("search", filter.search);
    if (!filter.group.empty()) q.emplace_back("group", filter.group);
    return map_all<Account>(list_all(k_accounts, q), account_from_json, fmt::format("GET {}", k_accounts));
}

// --- channels --------------------------------------------------------------------------------

util::Result<Channel> AdminClient::create_channel(const ChannelCreate& channel, const RequestOptions& options) {
    return map_one<Channel>(post(k_channels, json::value_from(channel), options), channel_from_json,
                            fmt::format("POST {}", k_channels));
}

util::Result<Channel> AdminClient::get_channel(std::int64_t id) {
    auto path = item_path(k_channels, id);
    return map_one<Channel>(get(path), channel_from_json, "GET " + path);
}

util::Result<Channel> AdminClient::update_channel(std::int64_t id, const json::object& patch) {
    auto path = item_path(k_channels, id);
    return map_one<Channel>(put(path, patch), channel_from_json, "PUT " + path);
}

util::Result<void> AdminClient::delete_channel(std::int64_t id) { return discard(del(item_path(k_channels, id))); }

util::Result<std::vector<Channel>> AdminClient::list_channels(const Query& query) {
    return map_all<Channel>(list_all(k_channels, query), channel_from_json, fmt::format("GET {}", k_channels));
}

// --- users -----------------------------------------------------------------------------------

util::Result<User> AdminClient::create_user(const UserCreate& user, const RequestOptions& options) {
    return map_one<User>(post(k_users, json::value_from(user), options), user_from_json,
                         fmt::format("POST {}", k_users));
}

util::Result<User> AdminClient::get_user(std::int64_t id) {
    auto path = item_path(k_users, id);
    return map_one<User>(get(path), user_from_json, "GET " + path);
}

util::Result<User> AdminClient::update_user(std::int64_t id, const json::object& patch) {
    auto path = item_path(k_users, id);
    return map_one<User>(put(path, patch), user_from_json, "PUT " + path);
}

util::Result<void> AdminClient::delete_user(std::int64_t id) { return discard(del(item_path(k_users, id))); }

util::Result<std::vector<User>> AdminClient::list_users(const Query& query) {
    return map_all<User>(list_all(k_users, query), user_from_json, fmt::format("GET {}", k_users));
}

util::Result<User> AdminClient::update_balance(std::int64_t user_id, double amount, std::string_view operation,
                                               std::string_view notes, const RequestOptions& options) {
    auto path = fmt::format("{}/{}/balance", k_users, user_id);
    if (!(amount > 0)) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("POST {}: balance amount must be > 0 (the host rejects 0)", path));
    }
    json::object body{{"balance", amount}, {"operation", operation}};
    if (!notes.empty()) body["notes"] = notes;
    CRM_TRY(data, post(path, body, options));
    // The answer is the updated user on v0.1.179; hosts that answer {message} get a read-back.
    if (auto user = user_from_json(data, "POST " + path)) return user;
    return get_user(user_id);
}

// --- subscriptions ---------------------------------------------------------------------------

util::Result<Subscription> AdminClient::assign_subscription(std::int64_t user_id, std::int64_t group_id,
                                                            int validity_days, std::string_view notes,
                                                            const RequestOptions& options) {
    auto path = fmt::format("{}/assign", k_subscriptions);
    json::object body{{"user_id", user_id}, {"group_id", group_id}, {"validity_days", validity_days}};
    if (!notes.empty()) body["notes"] = notes;
    return map_one<Subscription>(post(path, body, options), subscription_from_json, "POST " + path);
}

util::Result<Subscription> AdminClient::get_subscription(std::int64_t id) {
    auto path = item_path(k_subscriptions, id);
    return map_one<Subscription>(get(path), subscription_from_json, "GET " + path);
}

util::Result<std::vector<Subscription>> AdminClient::list_subscriptions(const SubscriptionFilter& filter) {
    Query q;
    if (filter.user_id) q.emplace_back("user_id", std::to_string(*filter.user_id));
    if (filter.group_id) q.emplace_back("group_id", std::to_string(*filter.group_id));
    if (!filter.status.empty()) q.emplace_back("status", filter.status);
    return map_all<Subscription>(list_all(k_subscriptions, q), subscription_from_json,
                                 fmt::format("GET {}", k_subscriptions));
}

util::Result<void> AdminClient::revoke_subscription(std::int64_t id) {
    return discard(post(fmt::format("{}/{}/revoke", k_subscriptions, id), json::object{}));
}

util::Result<void> AdminClient::delete_subscription(std::int64_t id) {
    return discard(del(item_path(k_subscriptions, id)));
}

// --- API keys --------------------------------------------------------------------------------

namespace {

json::object key_body(std::string_view name, std::optional<std::int64_t> group_id) {
    json::object body{{"name", name}};
    if (group_id) body["group_id"] = *group_id;
    return body;
}

}  // namespace

util::Result<ApiKey> AdminClient::create_key_admin(std::int64_t user_id, std::string_view name,
                                                   std::optional<std::int64_t> group_id,
                                                   const RequestOptions& options) {
    auto path = fmt::format("{}/{}/api-keys", k_users, user_id);
    return map_one<ApiKey>(post(path, key_body(name, group_id), options), api_key_from_json, "POST " + path);
}

util::Result<std::vector<ApiKey>> AdminClient::list_user_keys(std::int64_t user_id) {
    auto path = fmt::format("{}/{}/api-keys", k_users, user_id);
    return map_all<ApiKey>(list_all(path), api_key_from_json, "GET " + path);
}

util::Result<json::value> AdminClient::bind_key_group(std::int64_t key_id, std::int64_t group_id) {
    return put(fmt::format("/api/v1/admin/api-keys/{}", key_id), json::object{{"group_id", group_id}});
}

util::Result<UserSession> AdminClient::login_user(std::string_view email, std::string_view password) {
    return login(email, password, false);
}

util::Result<ApiKey> AdminClient::create_key_as_user(std::string_view user_token, std::string_view name,
                                                     std::optional<std::int64_t> group_id,
                                                     const RequestOptions& options) {
    constexpr std::string_view path = "/api/v1/keys";
    Call c{"POST",         std::string(path),      {}, json::value(key_body(name, group_id)), create_key(options),
           AuthMode::none, std::string(user_token)};
    return map_one<ApiKey>(call(c), api_key_from_json, fmt::format("POST {}", path));
}

util::Result<void> AdminClient::delete_key_as_user(std::string_view user_token, std::int64_t key_id) {
    Call c{"DELETE", fmt::format("/api/v1/keys/{}", key_id), {}, {}, {}, AuthMode::none, std::string(user_token)};
    return discard(call(c));
}

}  // namespace crm::probes::sub2api
