// Users (+ balance), subscriptions, API keys (user route and fork admin route) and usage.
#include <algorithm>
#include <cmath>

#include "stubs/host/host_app.hpp"
#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"

namespace crm::stubs {

using namespace hostwire;

namespace {

std::optional<std::int64_t> query_id(const std::map<std::string, std::string>& q, const char* key) {
    auto it = q.find(key);
    if (it == q.end()) return std::nullopt;
    return parse_id(it->second);
}

std::optional<std::int64_t> body_int(const json::object& o, std::string_view k) {
    auto it = o.find(k);
    if (it == o.end()) return std::nullopt;
    if (it->value().is_int64()) return it->value().as_int64();
    if (it->value().is_uint64()) return static_cast<std::int64_t>(it->value().as_uint64());
    if (it->value().is_double()) return static_cast<std::int64_t>(std::llround(it->value().as_double()));
    return std::nullopt;
}

bool valid_custom_key(const std::string& k) {
    return k.size() >= 16 && std::all_of(k.begin(), k.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
           });
}

}  // namespace

// ---------------------------------------------------------------- users

Response HostApp::users(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    const auto& q = ctx.req.query;
    Response err;
    if (s.size() == 1 && m == "GET") {
        std::lock_guard lock(m_mutex);
        std::vector<json::value> items;
        for (const auto& [id, u] : m_users) {
            if (q.contains("status") && !q.at("status").empty() && str(u, "status") != q.at("status")) continue;
            if (q.contains("role") && !q.at("role").empty() && str(u, "role") != q.at("role")) continue;
            if (q.contains("search") && str(u, "email").find(q.at("search")) == std::string::npos &&
                str(u, "username").find(q.at("search")) == std::string::npos)
                continue;
            items.push_back(user_view(u));
        }
        return ok(wire::paginate(items, wire::parse_page(q)));
    }
    if (s.size() == 1 && m == "POST") {
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        auto email = jstr(*body, "email");
        auto password = jstr(*body, "password");
        if (!email || email->find('@') == std::string::npos || email->front() == '@' || email->back() == '@')
            return bad_request(
                "Key: 'CreateUserRequest.Email' Error:Field validation for 'Email' failed on the 'email' tag");
        if (!password || password->size() < 6)
            return bad_request(
                "Key: 'CreateUserRequest.Password' Error:Field validation for 'Password' failed on the 'min' tag");
        std::string role = jstr(*body, "role").value_or("user");
        if (role != "user" && role != "admin")
            return bad_request(
                "Key: 'CreateUserRequest.Role' Error:Field validation for 'Role' failed on the 'oneof' tag");
        std::lock_guard lock(m_mutex);
        for (const auto& [id, u] : m_users)
            if (str(u, "email") == *email) return error(409, "email already exists", "EMAIL_EXISTS");
        const std::int64_t id = next_id("user");
        json::object u{{"id", id},
                       {"email", *email},
                       {"username", jstr(*body, "username").value_or("")},
                       {"role", role},
                       {"balance", jnum(*body, "balance").value_or(0.0)},
                       {"frozen_balance", 0.0},
                       {"concurrency", jint(*body, "concurrency").value_or(0)},
                       {"status", "active"},
                       {"allowed_groups", body->contains("allowed_groups") && body->at("allowed_groups").is_array()
                                              ? body->at("allowed_groups")
                                              : json::array{}},
                       {"rpm_limit", jint(*body, "rpm_limit").value_or(0)},
                       {"notes", jstr(*body, "notes").value_or("")},
                       {"created_at", wire::rfc3339(wire::now_unix())},
                       {"_password", *password}};
        m_users[id] = u;
        return ok(user_view(u));
    }
    if (s.size() < 2) return no_route();
    auto id = parse_id(s[1]);
    if (!id) return bad_request("invalid user id");
    if (s.size() == 3 && s[2] == "balance" && m == "POST") {
        return with_idempotency(ctx.req, "balance:" + s[1], [&]() -> Response {
            Response e;
            auto body = parse_object(ctx.req, e);
            if (!body) return e;
            const double amount = jnum(*body, "balance").value_or(0.0);
            const std::string op = jstr(*body, "operation").value_or("");
            if (!(amount > 0))
                return bad_request(
                    "Key: 'UpdateBalanceRequest.Balance' Error:Field validation for 'Balance' failed on the 'gt' tag");
            if (op != "set" && op != "add" && op != "subtract")
                return bad_request(
                    "Key: 'UpdateBalanceRequest.Operation' Error:Field validation for 'Operation' failed on the "
                    "'oneof' tag");
            std::lock_guard lock(m_mutex);
            auto it = m_users.find(*id);
            if (it == m_users.end()) return not_found("user");
            double balance = jnum(it->second, "balance").value_or(0.0);
            if (op == "set") balance = amount;
            if (op == "add") balance += amount;
            if (op == "subtract") balance -= amount;
            it->second["balance"] = balance;
            return ok(user_view(it->second));
        });
    }
    if (s.size() == 3 && s[2] == "api-keys" && m == "POST") {
        if (!m_config.fork_admin_key_route) return no_route();
        return with_idempotency(ctx.req, "admin-key:" + s[1], [&]() -> Response {
            Response e;
            auto body = parse_object(ctx.req, e);
            if (!body) return e;
            return create_key(*id, *body, true);
        });
    }
    std::unique_lock lock(m_mutex);
    auto it = m_users.find(*id);
    if (it == m_users.end()) return not_found("user");
    const auto now = wire::now_unix();
    if (s.size() == 2 && m == "GET") return ok(user_view(it->second));
    if (s.size() == 2 && m == "DELETE") {
        if (str(it->second, "role") == "admin") return error(400, "cannot delete admin user", "CANNOT_DELETE_ADMIN");
        m_users.erase(it);
        for (auto k = m_keys.begin(); k != m_keys.end();)
            k = num(k->second, "user_id") == *id ? m_keys.erase(k) : std::next(k);
        return ok(json::object{{"message", "User deleted successfully"}});
    }
    if (s.size() == 2 && m == "PUT") {
        lock.unlock();
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        lock.lock();
        it = m_users.find(*id);
        if (it == m_users.end()) return not_found("user");
        if (auto email = jstr(*body, "email"))
            for (const auto& [oid, o] : m_users)
                if (oid != *id && str(o, "email") == *email) return error(409, "email already exists", "EMAIL_EXISTS");
        if (auto pw = jstr(*body, "password"); pw && !pw->empty()) {
            if (pw->size() < 6)
                return bad_request(
                    "Key: 'UpdateUserRequest.Password' Error:Field validation for 'Password' failed on the 'min' tag");
            it->second["_password"] = *pw;
        }
        if (auto st = jstr(*body, "status"); st && *st != "active" && *st != "disabled")
            return bad_request(
                "Key: 'UpdateUserRequest.Status' Error:Field validation for 'Status' failed on the 'oneof' tag");
        for (const char* k : {"email", "username", "notes", "role", "balance", "concurrency", "rpm_limit", "status",
                              "allowed_groups", "group_rates"})
            if (body->contains(k) && !body->at(k).is_null()) it->second[k] = body->at(k);
        return ok(user_view(it->second));
    }
    if (s.size() == 3 && s[2] == "api-keys" && m == "GET") {
        std::vector<json::value> items;
        for (const auto& [kid, k] : m_keys)
            if (num(k, "user_id") == *id) items.push_back(strip_internal(k));
        return ok(wire::paginate(items, wire::parse_page(q)));
    }
    if (s.size() == 3 && s[2] == "subscriptions" && m == "GET") {
        json::array out;
        for (const auto& [sid, sub] : m_subscriptions)
            if (num(sub, "user_id") == *id) out.push_back(subscription_view(sub, now));
        return ok(out);
    }
    if (s.size() == 3 && s[2] == "usage" && m == "GET") {
        std::vector<json::value> items;
        for (const auto& u : m_usage)
            if (num(u, "user_id") == *id) items.push_back(u);
        return ok(wire::paginate(items, wire::parse_page(q)));
    }
    return no_route();
}

// ---------------------------------------------------------------- subscriptions

Response HostApp::assign_subscription(const json::object& body, std::int64_t admin_id) {
    auto user_id = body_int(body, "user_id");
    auto group_id = body_int(body, "group_id");
    if (!user_id || *user_id <= 0)
        return bad_request(
            "Key: 'AssignSubscriptionRequest.UserID' Error:Field validation for 'UserID' failed on the 'required' tag");
    if (!group_id || *group_id <= 0)
        return bad_request(
            "Key: 'AssignSubscriptionRequest.GroupID' Error:Field validation for 'GroupID' failed on the 'required' "
            "tag");
    std::int64_t days = body_int(body, "validity_days").value_or(0);
    if (days <= 0) days = 30;
    if (days > 36500)
        return bad_request(
            "Key: 'AssignSubscriptionRequest.ValidityDays' Error:Field validation for 'ValidityDays' failed on the "
            "'max' tag");
    const std::string notes = jstr(body, "notes").value_or("");
    std::lock_guard lock(m_mutex);
    if (!m_users.contains(*user_id)) return not_found("user");
    auto g = m_groups.find(*group_id);
    if (g == m_groups.end()) return not_found("group");
    if (str(g->second, "subscription_type") != "subscription")
        return error(400, "group is not a subscription type group", "GROUP_NOT_SUBSCRIPTION_TYPE");
    const auto now = wire::now_unix();
    for (auto& [sid, sub] : m_subscriptions) {
        if (num(sub, "user_id") != *user_id || num(sub, "group_id") != *group_id) continue;
        const bool active = str(sub, "status") == "active" && jint(sub, "_expires_unix").value_or(0) > now;
        if (active) {
            std::string reason;
            if (num(sub, "_validity_days") != days)
                reason = "validity_days_mismatch";
            else if (str(sub, "notes") != notes)
                reason = "notes_mismatch";
            if (reason.empty()) return ok(subscription_view(sub, now));
            json::object meta{{"conflict_reason", reason}, {"subscription_id", sid}};
            return error(409, "an active subscription with different settings already exists",
                         "SUBSCRIPTION_ASSIGN_CONFLICT", &meta);
        }
        // Expired or revoked: renewed in place.
        sub["status"] = "active";
        sub["starts_at"] = wire::rfc3339(now);
        sub["expires_at"] = wire::rfc3339(now + days * 86400);
        sub["_expires_unix"] = now + days * 86400;
        sub["_validity_days"] = days;
        sub["notes"] = notes;
        sub["revoked_at"] = nullptr;
        sub["assigned_at"] = wire::rfc3339(now);
        return ok(subscription_view(sub, now));
    }
    const std::int64_t id = next_id("subscription");
    json::object sub{{"id", id},
                     {"user_id", *user_id},
                     {"group_id", *group_id},
                     {"starts_at", wire::rfc3339(now)},
                     {"expires_at", wire::rfc3339(now + days * 86400)},
                     {"status", "active"},
                     {"daily_window_start", nullptr},
                     {"weekly_window_start", nullptr},
                     {"monthly_window_start", nullptr},
                     {"daily_usage_usd", 0.0},
                     {"weekly_usage_usd", 0.0},
                     {"monthly_usage_usd", 0.0},
                     {"revoked_at", nullptr},
                     {"assigned_by", admin_id},
                     {"assigned_at", wire::rfc3339(now)},
                     {"notes", notes},
                     {"_expires_unix", now + days * 86400},
                     {"_validity_days", days}};
    m_subscriptions[id] = sub;
    return ok(subscription_view(sub, now));
}

Response HostApp::subscriptions(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    const auto& q = ctx.req.query;
    Response err;
    if (s.size() == 2 && s[1] == "assign" && m == "POST") {
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        return assign_subscription(*body, ctx.user_id);
    }
    const auto now = wire::now_unix();
    if (s.size() == 1 && m == "GET") {
        std::lock_guard lock(m_mutex);
        std::vector<json::value> items;
        for (const auto& [id, sub] : m_subscriptions) {
            json::object v = subscription_view(sub, now).as_object();
            if (auto u = query_id(q, "user_id"); u && num(sub, "user_id") != *u) continue;
            if (auto g = query_id(q, "group_id"); g && num(sub, "group_id") != *g) continue;
            if (q.contains("status") && !q.at("status").empty() && str(v, "status") != q.at("status")) continue;
            if (q.contains("platform") && !q.at("platform").empty()) {
                auto g = m_groups.find(num(sub, "group_id"));
                if (g == m_groups.end() || str(g->second, "platform") != q.at("platform")) continue;
            }
            items.push_back(v);
        }
        return ok(wire::paginate(items, wire::parse_page(q)));
    }
    if (s.size() < 2) return no_route();
    auto id = parse_id(s[1]);
    if (!id) return bad_request("invalid subscription id");
    std::lock_guard lock(m_mutex);
    auto it = m_subscriptions.find(*id);
    if (it == m_subscriptions.end()) return not_found("subscription");
    auto& sub = it->second;
    if (s.size() == 2 && m == "GET") return ok(subscription_view(sub, now));
    if ((s.size() == 3 && s[2] == "revoke" && m == "POST") || (s.size() == 2 && m == "DELETE")) {
        sub["status"] = "revoked";
        sub["revoked_at"] = wire::rfc3339(now);
        return ok(json::object{{"message", "Subscription revoked successfully"}});
    }
    if (s.size() == 3 && s[2] == "extend" && m == "POST") {
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        auto days = body_int(*body, "days");
        if (!days || *days < -36500 || *days > 36500)
            return bad_request(
                "Key: 'ExtendSubscriptionRequest.Days' Error:Field validation for 'Days' failed on the 'min' tag");
        const std::int64_t until = jint(sub, "_expires_unix").value_or(now) + *days * 86400;
        sub["_expires_unix"] = until;
        sub["expires_at"] = wire::rfc3339(until);
        return ok(subscription_view(sub, now));
    }
    return no_route();
}

// ---------------------------------------------------------------- API keys

Response HostApp::create_key(std::int64_t user_id, const json::object& body, bool admin_route) {
    auto name = jstr(body, "name");
    if (!name || name->empty())
        return bad_request(
            "Key: 'CreateAPIKeyRequest.Name' Error:Field validation for 'Name' failed on the 'required' tag");
    std::string key = wire::make_user_key();
    if (auto custom = jstr(body, "custom_key"); custom && !custom->empty()) {
        if (!valid_custom_key(*custom))
            return error(400, "custom key must be at least 16 characters of [A-Za-z0-9_-]", "API_KEY_TOO_SHORT");
        key = *custom;
    }
    auto group_id = body_int(body, "group_id");
    std::lock_guard lock(m_mutex);
    auto user = m_users.find(user_id);
    if (user == m_users.end()) return not_found("user");
    if (str(user->second, "status") != "active") return error(403, "user is not active", "USER_INACTIVE");
    const auto now = wire::now_unix();
    if (group_id && *group_id > 0) {
        auto g = m_groups.find(*group_id);
        if (g == m_groups.end()) return not_found("group");
        if (!admin_route && !user_may_bind(user->second, g->second, now))
            return error(403, "not allowed to bind this group", "GROUP_NOT_ALLOWED");
    }
    for (const auto& [kid, k] : m_keys)
        if (str(k, "key") == key) return error(409, "api key already exists", "API_KEY_EXISTS");
    const std::int64_t id = next_id("key");
    auto days = body_int(body, "expires_in_days");
    json::object k{
        {"id", id},
        {"user_id", user_id},
        {"key", key},
        {"name", *name},
        {"group_id", group_id && *group_id > 0 ? json::value(*group_id) : json::value(nullptr)},
        {"status", "active"},
        {"quota", jnum(body, "quota").value_or(0.0)},
        {"quota_used", 0.0},
        {"expires_at", days && *days > 0 ? json::value(wire::rfc3339(now + *days * 86400)) : json::value(nullptr)},
        {"ip_whitelist", json::array{}},
        {"ip_blacklist", json::array{}},
        {"created_at", wire::rfc3339(now)},
        {"updated_at", wire::rfc3339(now)}};
    if (admin_route) k["routing_mode"] = jstr(body, "routing_mode").value_or("direct");
    m_keys[id] = k;
    return ok(strip_internal(k));
}

Response HostApp::user_keys(Ctx& ctx) {
    const auto& s = ctx.seg;  // keys[/id]
    const auto& m = ctx.req.method;
    Response err;
    if (s.size() == 1 && m == "POST") {
        return with_idempotency(ctx.req, "user-key:" + std::to_string(ctx.user_id), [&]() -> Response {
            Response e;
            auto body = parse_object(ctx.req, e);
            if (!body) return e;
            return create_key(ctx.user_id, *body, false);
        });
    }
    std::lock_guard lock(m_mutex);
    if (s.size() == 1 && m == "GET") {
        std::vector<json::value> items;
        for (const auto& [id, k] : m_keys)
            if (num(k, "user_id") == ctx.user_id) items.push_back(strip_internal(k));
        return ok(wire::paginate(items, wire::parse_page(ctx.req.query)));
    }
    if (s.size() != 2) return no_route();
    auto id = parse_id(s[1]);
    auto it = id ? m_keys.find(*id) : m_keys.end();
    if (it == m_keys.end() || num(it->second, "user_id") != ctx.user_id) return not_found("api key");
    if (m == "GET") return ok(strip_internal(it->second));
    if (m == "DELETE") {
        m_keys.erase(it);
        return ok(json::object{{"message", "API key deleted successfully"}});
    }
    if (m == "PUT") {
        auto body = util::parse_json(ctx.req.body, "request body");
        if (!body || !body->is_object()) return bad_request(body ? "body is not an object" : body.error().message);
        for (const char* k : {"name", "status", "quota", "ip_whitelist", "ip_blacklist"})
            if (body->as_object().contains(k)) it->second[k] = body->as_object().at(k);
        return ok(strip_internal(it->second));
    }
    return no_route();
}

// ---------------------------------------------------------------- usage

Response HostApp::usage(Ctx& ctx) {
    if (ctx.seg.size() != 1 || ctx.req.method != "GET") return no_route();
    const auto& q = ctx.req.query;
    std::lock_guard lock(m_mutex);
    std::vector<json::value> items;
    for (auto it = m_usage.rbegin(); it != m_usage.rend(); ++it) {
        if (auto u = query_id(q, "user_id"); u && num(*it, "user_id") != *u) continue;
        if (auto k = query_id(q, "api_key_id"); k && num(*it, "api_key_id") != *k) continue;
        items.push_back(*it);
    }
    return ok(wire::paginate(items, wire::parse_page(q)));
}

}  // namespace crm::stubs
