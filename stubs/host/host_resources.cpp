// Groups, channels, users, subscriptions, user API keys and usage of the stub host.
#include <algorithm>

#include "stubs/host/host_app.hpp"
#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"
#include "util/ascii.hpp"

namespace crm::stubs {

using namespace hostwire;

namespace {

const std::vector<std::string> k_platforms = {"anthropic", "openai", "gemini",   "antigravity", "grok",
                                              "kimi",      "zhipu",  "deepseek", "composite"};

bool contains_ci(const std::string& hay, const std::string& needle) {
    return util::ascii_lower(hay).find(util::ascii_lower(needle)) != std::string::npos;
}

// Name uniqueness checks run over every group or channel on each create: compare in place.
bool name_is(const json::object& o, std::string_view name) {
    auto v = jfind(o, "name");
    return v && v->is_string() ? std::string_view(v->as_string()) == name : name.empty();
}

Response route_missing() { return no_route(); }

}  // namespace

std::unordered_map<std::int64_t, HostApp::GroupCounts> HostApp::counts_by_group(std::int64_t now) const {
    std::unordered_map<std::int64_t, GroupCounts> out;
    for (const auto& [aid, a] : m_accounts) {
        auto gids = jfind(a, "group_ids");
        if (!gids || !gids->is_array()) continue;
        const bool active = str(a, "status") == "active";
        const bool limited = jint(a, "_rate_limit_reset_unix").value_or(0) > now;
        std::vector<std::int64_t> seen;  // a group listed twice in one account counts once, as before
        for (const auto& v : gids->as_array()) {
            if (!v.is_int64() || std::find(seen.begin(), seen.end(), v.as_int64()) != seen.end()) continue;
            seen.push_back(v.as_int64());
            auto& c = out[v.as_int64()];
            ++c.accounts;
            if (active) ++c.active;
            if (limited) ++c.rate_limited;
        }
    }
    return out;
}

json::value HostApp::group_view(const json::object& g, const GroupCounts& counts) const {
    json::object v = strip_internal(g).as_object();
    v["account_count"] = counts.accounts;
    v["active_account_count"] = counts.active;
    v["rate_limited_account_count"] = counts.rate_limited;
    return v;
}

json::value HostApp::group_view(const json::object& g) const {
    const std::int64_t id = num(g, "id");
    const auto now = wire::now_unix();
    GroupCounts counts;
    for (const auto& [aid, a] : m_accounts) {
        if (!id_in(jfind(a, "group_ids"), id)) continue;
        ++counts.accounts;
        if (str(a, "status") == "active") ++counts.active;
        if (jint(a, "_rate_limit_reset_unix").value_or(0) > now) ++counts.rate_limited;
    }
    return group_view(g, counts);
}

json::value HostApp::user_view(const json::object& u) const { return strip_internal(u); }

json::value HostApp::subscription_view(const json::object& s, std::int64_t now) const {
    json::object v = strip_internal(s).as_object();
    if (str(s, "status") == "active" && jint(s, "_expires_unix").value_or(0) <= now) v["status"] = "expired";
    return v;
}

bool HostApp::active_subscription(std::int64_t user_id, std::int64_t group_id, std::int64_t now) const {
    for (const auto& [id, s] : m_subscriptions)
        if (num(s, "user_id") == user_id && num(s, "group_id") == group_id && str(s, "status") == "active" &&
            jint(s, "_expires_unix").value_or(0) > now)
            return true;
    return false;
}

bool HostApp::user_may_bind(const json::object& user, const json::object& group, std::int64_t now) const {
    if (str(group, "status") != "active") return false;
    const std::int64_t gid = num(group, "id");
    if (str(group, "subscription_type") == "subscription") return active_subscription(num(user, "id"), gid, now);
    if (jbool(group, "is_exclusive").value_or(false)) return id_in(jfind(user, "allowed_groups"), gid);
    return true;
}

void HostApp::seed_residue() {
    // Foreign resources a shared host already carries: same platforms as the run, other owners.
    const auto now = wire::rfc3339(wire::now_unix());
    std::int64_t channel_id = next_id("channel");
    json::array channel_groups;
    for (const std::string platform : {"deepseek", "openai"}) {
        const std::int64_t gid = next_id("group");
        m_groups[gid] = json::object{{"id", gid},
                                     {"name", "legacy-" + platform + "-std"},
                                     {"description", "pre-existing"},
                                     {"platform", platform},
                                     {"rate_multiplier", 1.0},
                                     {"is_exclusive", false},
                                     {"status", "active"},
                                     {"subscription_type", "standard"},
                                     {"daily_limit_usd", nullptr},
                                     {"weekly_limit_usd", nullptr},
                                     {"monthly_limit_usd", nullptr},
                                     {"rpm_limit", 0},
                                     {"model_pricing", json::array{}},
                                     {"sort_order", 0},
                                     {"created_at", now},
                                     {"updated_at", now}};
        channel_groups.push_back(gid);
        const std::int64_t aid = next_id("account");
        m_accounts[aid] = json::object{
            {"id", aid},
            {"name", "legacy-" + platform + "-1"},
            {"notes", "pre-existing"},
            {"platform", platform},
            {"type", "apikey"},
            {"credentials",
             json::object{{"api_key", "sk-legacy-0000000000000000"},
                          {"base_url", "http://127.0.0.1:9"},
                          {"model_mapping", json::object{{platform == "deepseek" ? "deepseek-chat" : "gpt-4o-mini",
                                                          platform == "deepseek" ? "deepseek-chat" : "gpt-4o-mini"}}}}},
            {"extra", json::object{}},
            {"proxy_id", nullptr},
            {"concurrency", 0},
            {"load_factor", nullptr},
            {"priority", 50},
            {"rate_multiplier", 1.0},
            {"status", "active"},
            {"error_message", ""},
            {"schedulable", true},
            {"group_ids", json::array{gid}},
            {"created_at", now},
            {"updated_at", now}};
    }
    m_channels[channel_id] = json::object{{"id", channel_id},
                                          {"name", "legacy-channel"},
                                          {"description", "pre-existing"},
                                          {"status", "active"},
                                          {"group_ids", channel_groups},
                                          {"model_pricing", json::array{}},
                                          {"model_mapping", json::object{}},
                                          {"billing_model_source", "channel_mapped"},
                                          {"restrict_models", false},
                                          {"created_at", now},
                                          {"updated_at", now}};
    const std::int64_t uid = next_id("user");
    m_users[uid] = json::object{{"id", uid},
                                {"email", "legacy-user@example.com"},
                                {"username", "legacy"},
                                {"role", "user"},
                                {"balance", 3.5},
                                {"frozen_balance", 0.0},
                                {"concurrency", 0},
                                {"status", "active"},
                                {"allowed_groups", json::array{}},
                                {"rpm_limit", 0},
                                {"notes", "pre-existing"},
                                {"created_at", now},
                                {"_password", "legacy-password"}};
}

// ---------------------------------------------------------------- groups

Response HostApp::groups(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    const auto& q = ctx.req.query;
    Response err;
    // Listings filter first, slice the page, then build views (with counts made in one pass
    // over the accounts) for the page only: O(page + total) instead of O(groups x accounts).
    if (s.size() == 1 && m == "GET") {
        std::lock_guard lock(m_mutex);
        std::vector<const json::object*> matched;
        for (const auto& [id, g] : m_groups) {
            if (q.contains("platform") && !q.at("platform").empty() && str(g, "platform") != q.at("platform")) continue;
            if (q.contains("status") && !q.at("status").empty() && str(g, "status") != q.at("status")) continue;
            if (q.contains("search") && !contains_ci(str(g, "name"), q.at("search"))) continue;
            if (q.contains("is_exclusive") && !q.at("is_exclusive").empty() &&
                jbool(g, "is_exclusive").value_or(false) != (q.at("is_exclusive") == "true"))
                continue;
            matched.push_back(&g);
        }
        const auto page = wire::parse_page(q);
        const auto window = wire::page_window(matched.size(), page);
        json::array items;
        if (window.end > window.begin) {
            const auto counts = counts_by_group(wire::now_unix());
            for (std::size_t i = window.begin; i < window.end; ++i) {
                auto c = counts.find(num(*matched[i], "id"));
                items.push_back(group_view(*matched[i], c == counts.end() ? GroupCounts{} : c->second));
            }
        }
        return ok(wire::page_of(std::move(items), matched.size(), page));
    }
    if (s.size() == 2 && s[1] == "all" && m == "GET") {
        std::lock_guard lock(m_mutex);
        json::array out;
        const bool inactive = q.contains("include_inactive") && q.at("include_inactive") == "true";
        const auto counts = counts_by_group(wire::now_unix());
        for (const auto& [id, g] : m_groups) {
            if (q.contains("platform") && !q.at("platform").empty() && str(g, "platform") != q.at("platform")) continue;
            if (!inactive && str(g, "status") != "active") continue;
            auto c = counts.find(id);
            out.push_back(group_view(g, c == counts.end() ? GroupCounts{} : c->second));
        }
        return ok(out);
    }
    if (s.size() == 1 && m == "POST") {
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        auto name = jstr(*body, "name");
        if (!name || name->empty())
            return bad_request(
                "Key: 'CreateGroupRequest.Name' Error:Field validation for 'Name' failed on the 'required' tag");
        std::string platform = jstr(*body, "platform").value_or("anthropic");
        if (platform.empty()) platform = "anthropic";
        if (std::find(k_platforms.begin(), k_platforms.end(), platform) == k_platforms.end())
            return bad_request(
                "Key: 'CreateGroupRequest.Platform' Error:Field validation for 'Platform' failed on the 'oneof' tag");
        std::string sub_type = jstr(*body, "subscription_type").value_or("standard");
        if (sub_type.empty()) sub_type = "standard";
        if (sub_type != "standard" && sub_type != "subscription")
            return bad_request(
                "Key: 'CreateGroupRequest.SubscriptionType' Error:Field validation for 'SubscriptionType' failed on "
                "the 'oneof' tag");
        const double rate = jnum(*body, "rate_multiplier").value_or(0.0);
        if (rate <= 0) return error(500, "internal error");  // sub2api: untyped service error
        std::lock_guard lock(m_mutex);
        for (const auto& [id, g] : m_groups)
            if (name_is(g, *name)) return error(409, "group name already exists", "GROUP_EXISTS");
        const auto now = wire::rfc3339(wire::now_unix());
        const std::int64_t id = next_id("group");
        json::object g{{"id", id},
                       {"name", *name},
                       {"description", jstr(*body, "description").value_or("")},
                       {"platform", platform},
                       {"rate_multiplier", rate},
                       {"is_exclusive", jbool(*body, "is_exclusive").value_or(false)},
                       {"status", "active"},
                       {"subscription_type", sub_type}};
        for (const char* k : {"daily_limit_usd", "weekly_limit_usd", "monthly_limit_usd"}) {
            auto v = jnum(*body, k);
            g[k] = (v && *v >= 0) ? json::value(*v) : json::value(nullptr);
        }
        g["rpm_limit"] = jint(*body, "rpm_limit").value_or(0);
        g["model_pricing"] = body->contains("model_pricing") ? body->at("model_pricing") : json::array{};
        g["models_list_config"] =
            body->contains("models_list_config") ? body->at("models_list_config") : json::value(nullptr);
        g["sort_order"] = 0;
        g["created_at"] = now;
        g["updated_at"] = now;
        m_groups[id] = g;
        if (auto copy = jfind(*body, "copy_accounts_from_group_ids"); copy && copy->is_array()) {
            for (auto& [aid, a] : m_accounts) {
                bool bind = false;
                for (const auto& src : copy->as_array())
                    if (src.is_int64() && id_in(jfind(a, "group_ids"), src.as_int64())) bind = true;
                if (bind) a["group_ids"].as_array().push_back(id);
            }
        }
        return ok(group_view(g));
    }
    if (s.size() < 2) return route_missing();
    auto id = parse_id(s[1]);
    if (!id) return bad_request("invalid group id");
    std::unique_lock lock(m_mutex);
    auto it = m_groups.find(*id);
    if (it == m_groups.end()) return not_found("group");
    if (s.size() == 2 && m == "GET") return ok(group_view(it->second));
    if (s.size() == 2 && m == "DELETE") {
        m_groups.erase(it);
        for (auto& [aid, a] : m_accounts) {
            json::array kept;
            for (const auto& v : a["group_ids"].as_array())
                if (!(v.is_int64() && v.as_int64() == *id)) kept.push_back(v);
            a["group_ids"] = kept;
        }
        for (auto& [cid, c] : m_channels) {
            json::array kept;
            for (const auto& v : c["group_ids"].as_array())
                if (!(v.is_int64() && v.as_int64() == *id)) kept.push_back(v);
            c["group_ids"] = kept;
        }
        return ok(json::object{{"message", "Group deleted successfully"}});
    }
    if (s.size() == 2 && m == "PUT") {
        lock.unlock();
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        lock.lock();
        it = m_groups.find(*id);
        if (it == m_groups.end()) return not_found("group");
        auto& g = it->second;
        if (auto name = jstr(*body, "name")) {
            for (const auto& [oid, o] : m_groups)
                if (oid != *id && name_is(o, *name)) return error(409, "group name already exists", "GROUP_EXISTS");
        }
        if (auto p = jstr(*body, "platform");
            p && std::find(k_platforms.begin(), k_platforms.end(), *p) == k_platforms.end())
            return bad_request(
                "Key: 'UpdateGroupRequest.Platform' Error:Field validation for 'Platform' failed on the 'oneof' tag");
        if (auto st = jstr(*body, "status"); st && *st != "active" && *st != "inactive")
            return bad_request(
                "Key: 'UpdateGroupRequest.Status' Error:Field validation for 'Status' failed on the 'oneof' tag");
        if (auto r = jnum(*body, "rate_multiplier"); r && *r <= 0) return error(500, "internal error");
        for (const auto& kv : *body) {
            if (kv.key() == "id" || kv.key().starts_with("_")) continue;
            g[kv.key()] = kv.value();
        }
        g["updated_at"] = wire::rfc3339(wire::now_unix());
        return ok(group_view(g));
    }
    if (s.size() == 3 && s[2] == "subscriptions" && m == "GET") {
        const auto now = wire::now_unix();
        std::vector<json::value> items;
        for (const auto& [sid, sub] : m_subscriptions)
            if (num(sub, "group_id") == *id) items.push_back(subscription_view(sub, now));
        return ok(wire::paginate(items, wire::parse_page(ctx.req.query)));
    }
    if (s.size() == 3 && s[2] == "api-keys" && m == "GET") {
        std::vector<json::value> items;
        for (const auto& [kid, k] : m_keys)
            if (num(k, "group_id") == *id) items.push_back(strip_internal(k));
        return ok(wire::paginate(items, wire::parse_page(ctx.req.query)));
    }
    return route_missing();
}

// ---------------------------------------------------------------- channels

Response HostApp::channels(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    Response err;
    auto validate = [&](const json::object& body, std::int64_t self_id) -> std::optional<Response> {
        if (auto src = jstr(body, "billing_model_source"); src && !src->empty() && *src != "requested" &&
                                                           *src != "upstream" && *src != "channel_mapped" &&
                                                           *src != "response_model")
            return bad_request(
                "Key: 'CreateChannelRequest.BillingModelSource' Error:Field validation for 'BillingModelSource' failed "
                "on the 'oneof' tag");
        if (auto st = jstr(body, "status"); st && *st != "active" && *st != "disabled")
            return bad_request(
                "Key: 'UpdateChannelRequest.Status' Error:Field validation for 'Status' failed on the 'oneof' tag");
        if (auto mp = jfind(body, "model_pricing"); mp && !mp->is_null()) {
            if (!mp->is_array()) return bad_request("model_pricing must be an array");
            for (const auto& item : mp->as_array()) {
                auto models = jfind(item, "models");
                if (!models || !models->is_array() || models->as_array().empty() || models->as_array().size() > 100)
                    return bad_request(
                        "Key: 'ChannelModelPricingRequest.Models' Error:Field validation for 'Models' failed on the "
                        "'min' tag");
                auto mode = jstr(item, "billing_mode").value_or("token");
                if (mode != "token" && mode != "per_request" && mode != "image")
                    return bad_request(
                        "Key: 'ChannelModelPricingRequest.BillingMode' Error:Field validation for 'BillingMode' failed "
                        "on the 'oneof' tag");
            }
        }
        if (auto mm = jfind(body, "model_mapping"); mm && !mm->is_null() && !mm->is_object())
            return bad_request("model_mapping must be an object keyed by platform");
        if (auto name = jstr(body, "name")) {
            if (name->size() > 100)
                return bad_request(
                    "Key: 'CreateChannelRequest.Name' Error:Field validation for 'Name' failed on the 'max' tag");
            for (const auto& [cid, c] : m_channels)
                if (cid != self_id && name_is(c, *name))
                    return error(409, "channel name already exists", "CHANNEL_EXISTS");
        }
        if (auto gids = jfind(body, "group_ids"); gids && gids->is_array()) {
            for (const auto& g : gids->as_array()) {
                if (!g.is_int64() || !m_groups.contains(g.as_int64()))
                    return error(404, "group not found", "GROUP_NOT_FOUND");
                for (const auto& [cid, c] : m_channels)
                    if (cid != self_id && id_in(jfind(c, "group_ids"), g.as_int64()))
                        return error(409, "group already belongs to another channel", "GROUP_ALREADY_IN_CHANNEL");
            }
        }
        return std::nullopt;
    };
    if (s.size() == 1 && m == "GET") {
        std::lock_guard lock(m_mutex);
        const auto& q = ctx.req.query;
        std::vector<const json::object*> matched;
        for (const auto& [id, c] : m_channels) {
            if (q.contains("status") && !q.at("status").empty() && str(c, "status") != q.at("status")) continue;
            if (q.contains("search") && !contains_ci(str(c, "name"), q.at("search"))) continue;
            matched.push_back(&c);
        }
        const auto page = wire::parse_page(q);
        const auto window = wire::page_window(matched.size(), page);
        json::array items;
        for (std::size_t i = window.begin; i < window.end; ++i) items.push_back(strip_internal(*matched[i]));
        return ok(wire::page_of(std::move(items), matched.size(), page));
    }
    if (s.size() == 1 && m == "POST") {
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        auto name = jstr(*body, "name");
        if (!name || name->empty())
            return bad_request(
                "Key: 'CreateChannelRequest.Name' Error:Field validation for 'Name' failed on the 'required' tag");
        std::lock_guard lock(m_mutex);
        if (auto bad = validate(*body, 0)) return *bad;
        const auto now = wire::rfc3339(wire::now_unix());
        const std::int64_t id = next_id("channel");
        std::string source = jstr(*body, "billing_model_source").value_or("channel_mapped");
        if (source.empty()) source = "channel_mapped";
        auto field = [&](const char* k, json::value def) {
            return body->contains(k) && !body->at(k).is_null() ? body->at(k) : def;
        };
        json::object c{{"id", id},
                       {"name", *name},
                       {"description", jstr(*body, "description").value_or("")},
                       {"status", "active"},
                       {"group_ids", field("group_ids", json::array{})},
                       {"model_pricing", field("model_pricing", json::array{})},
                       {"model_mapping", field("model_mapping", json::object{})},
                       {"billing_model_source", source},
                       {"restrict_models", jbool(*body, "restrict_models").value_or(false)},
                       {"created_at", now},
                       {"updated_at", now}};
        m_channels[id] = c;
        return ok(c);
    }
    if (s.size() != 2) return route_missing();
    if (s[1] == "model-pricing" && m == "GET") return ok(json::object{{"items", json::array{}}});
    auto id = parse_id(s[1]);
    if (!id) return bad_request("invalid channel id");
    std::unique_lock lock(m_mutex);
    auto it = m_channels.find(*id);
    if (it == m_channels.end()) return not_found("channel");
    if (m == "GET") return ok(strip_internal(it->second));
    if (m == "DELETE") {
        m_channels.erase(it);
        return ok(json::object{{"message", "Channel deleted successfully"}});
    }
    if (m == "PUT") {
        lock.unlock();
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        lock.lock();
        it = m_channels.find(*id);
        if (it == m_channels.end()) return not_found("channel");
        if (auto bad = validate(*body, *id)) return *bad;
        for (const auto& kv : *body)
            if (kv.key() != "id" && !kv.key().starts_with("_")) it->second[kv.key()] = kv.value();
        it->second["updated_at"] = wire::rfc3339(wire::now_unix());
        return ok(strip_internal(it->second));
    }
    return route_missing();
}

}  // namespace crm::stubs
