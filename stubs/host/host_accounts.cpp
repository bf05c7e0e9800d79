// Accounts: CRUD with credential redaction and PUT merge semantics, runtime state routes, the
// SSE account test (a real streamed call to the account's upstream) and upstream penalties.
#include <algorithm>

#include "stubs/host/host_app.hpp"
#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"
#include "stubs/http/http_client.hpp"
#include "util/sha256.hpp"

namespace crm::stubs {

using namespace hostwire;

namespace {

const std::vector<std::string> k_types = {"oauth", "setup-token", "apikey", "upstream", "bedrock", "service_account"};
const std::vector<std::string> k_sensitive = {"api_key",  "access_token",      "refresh_token", "session_key",
                                              "id_token", "secret_access_key", "private_key",   "password"};
const std::vector<std::string> k_cn_platforms = {"deepseek", "kimi", "zhipu"};

bool is_sensitive(std::string_view k) {
    return std::find(k_sensitive.begin(), k_sensitive.end(), k) != k_sensitive.end();
}

std::string account_test_error_message(const std::string& body) {
    auto doc = util::parse_json(body, "upstream");
    if (doc) {
        for (const char* path : {"error.message", "message", "base_resp.status_msg", "msg"}) {
            if (auto v = jpath(*doc, path); v && v->is_string()) return std::string(v->as_string());
        }
    }
    return body.substr(0, 200);
}

}  // namespace

bool HostApp::schedulable_now(const json::object& a, std::int64_t now) {
    return str(a, "status") == "active" && jbool(a, "schedulable").value_or(false) &&
           jint(a, "_temp_until_unix").value_or(0) <= now && jint(a, "_rate_limit_reset_unix").value_or(0) <= now &&
           jint(a, "_overload_until_unix").value_or(0) <= now;
}

HostFaults HostApp::effective_faults(const json::object& account) const {
    HostFaults f = m_config.profile.host;
    std::string base;
    if (auto c = jfind(account, "credentials")) base = jstr(*c, "base_url").value_or("");
    for (const auto& up : m_config.upstreams) {
        if (!base.starts_with(up.url_prefix)) continue;
        f.gateway_bearer_only = f.gateway_bearer_only || up.profile.host.gateway_bearer_only;
        f.gateway_x_api_key_only = f.gateway_x_api_key_only || up.profile.host.gateway_x_api_key_only;
        f.responses_bridge = f.responses_bridge || up.profile.host.responses_bridge;
        f.force_responses = f.force_responses || up.profile.host.force_responses;
    }
    return f;
}

json::value HostApp::account_view(const json::object& a) const {
    json::object v = strip_internal(a).as_object();
    json::object creds, status;
    if (auto c = jfind(a, "credentials"); c && c->is_object()) {
        for (const auto& kv : c->as_object()) {
            if (is_sensitive(kv.key()))
                status["has_" + std::string(kv.key())] = true;
            else
                creds.emplace(kv.key(), kv.value());
        }
    }
    if (!status.contains("has_api_key")) status["has_api_key"] = false;
    v["credentials"] = creds;
    v["credentials_status"] = status;
    json::array groups;
    if (auto gids = jfind(a, "group_ids"); gids && gids->is_array())
        for (const auto& g : gids->as_array())
            if (g.is_int64())
                if (auto it = m_groups.find(g.as_int64()); it != m_groups.end())
                    groups.push_back(json::object{{"id", g.as_int64()},
                                                  {"name", str(it->second, "name")},
                                                  {"platform", str(it->second, "platform")}});
    v["groups"] = groups;
    v["current_concurrency"] = 0;
    return v;
}

std::optional<Response> HostApp::validate_account_body(const json::object& body, bool create) {
    auto req = [&](const char* k) { return create && (!jstr(body, k) || jstr(body, k)->empty()); };
    if (req("name"))
        return bad_request(
            "Key: 'CreateAccountRequest.Name' Error:Field validation for 'Name' failed on the 'required' tag");
    if (req("platform"))
        return bad_request(
            "Key: 'CreateAccountRequest.Platform' Error:Field validation for 'Platform' failed on the 'required' tag");
    if (req("type"))
        return bad_request(
            "Key: 'CreateAccountRequest.Type' Error:Field validation for 'Type' failed on the 'required' tag");
    if (auto t = jstr(body, "type"); t && std::find(k_types.begin(), k_types.end(), *t) == k_types.end())
        return bad_request(
            "Key: 'CreateAccountRequest.Type' Error:Field validation for 'Type' failed on the 'oneof' tag");
    auto creds = jfind(body, "credentials");
    if (create && (!creds || !creds->is_object()))
        return bad_request(
            "Key: 'CreateAccountRequest.Credentials' Error:Field validation for 'Credentials' failed on the 'required' "
            "tag");
    if (creds && !creds->is_object() && !creds->is_null()) return bad_request("credentials must be an object");
    if (auto st = jstr(body, "status"); st && *st != "active" && *st != "inactive" && *st != "error")
        return bad_request(
            "Key: 'UpdateAccountRequest.Status' Error:Field validation for 'Status' failed on the 'oneof' tag");
    if (auto r = jnum(body, "rate_multiplier"); r && *r < 0)
        return bad_request(
            "Key: 'CreateAccountRequest.RateMultiplier' Error:Field validation for 'RateMultiplier' failed on the "
            "'gte' tag");
    return std::nullopt;
}

Response HostApp::accounts(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    const auto& q = ctx.req.query;
    Response err;
    // The listing filters, sorts and slices pointers, then builds views for one page only. Its
    // ETag names the state version (bumped around every change, see bump_version), the query and,
    // for the time-dependent status filters, the second: no hash over the whole list.
    if (s.size() == 1 && m == "GET") {
        std::lock_guard lock(m_mutex);
        const auto now = wire::now_unix();
        auto has = [&](const char* k) { return q.contains(k) && !q.at(k).empty(); };
        const bool timed =
            has("status") && (q.at("status") == "rate_limited" || q.at("status") == "temp_unschedulable");
        const std::string etag = "\"" +
                                 util::sha256_hex(std::to_string(m_version) + "|" + ctx.req.target + "|" +
                                                  (timed ? std::to_string(now) : std::string()))
                                     .substr(0, 32) +
                                 "\"";
        if (ctx.req.header("if-none-match").value_or("") == etag) {
            Response not_modified;
            not_modified.status = 304;
            not_modified.headers.emplace_back("ETag", etag);
            return not_modified;
        }
        std::vector<const json::object*> rows;
        for (const auto& [id, a] : m_accounts) {
            if (has("platform") && str(a, "platform") != q.at("platform")) continue;
            if (has("type") && str(a, "type") != q.at("type")) continue;
            if (has("search") && str(a, "name").find(q.at("search")) == std::string::npos) continue;
            if (has("group")) {
                const auto& g = q.at("group");
                auto gids = jfind(a, "group_ids");
                if (g == "ungrouped" ? (gids && gids->is_array() && !gids->as_array().empty())
                                     : !(parse_id(g) && id_in(gids, *parse_id(g))))
                    continue;
            }
            if (has("status")) {
                const auto& st = q.at("status");
                bool keep = false;
                if (st == "rate_limited")
                    keep = jint(a, "_rate_limit_reset_unix").value_or(0) > now;
                else if (st == "temp_unschedulable")
                    keep = jint(a, "_temp_until_unix").value_or(0) > now;
                else if (st == "unschedulable")
                    keep = !jbool(a, "schedulable").value_or(false);
                else
                    keep = str(a, "status") == st;
                if (!keep) continue;
            }
            rows.push_back(&a);
        }
        if (q.contains("sort_by") && q.at("sort_by") == "name") {
            auto name_of = [](const json::object* a) -> std::string_view {
                auto v = jfind(*a, "name");
                return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
            };
            std::stable_sort(rows.begin(), rows.end(),
                             [&](const auto* x, const auto* y) { return name_of(x) < name_of(y); });
            if (q.contains("sort_order") && q.at("sort_order") == "desc") std::reverse(rows.begin(), rows.end());
        }
        const auto page = wire::parse_page(q);
        const auto window = wire::page_window(rows.size(), page);
        json::array items;
        for (std::size_t i = window.begin; i < window.end; ++i) items.push_back(account_view(*rows[i]));
        Response res = ok(wire::page_of(std::move(items), rows.size(), page));
        res.headers.emplace_back("ETag", etag);
        return res;
    }
    if (s.size() == 1 && m == "POST") {
        return with_idempotency(ctx.req, "account-create", [&]() -> Response {
            Response e;
            auto body = parse_object(ctx.req, e);
            if (!body) return e;
            if (auto bad = validate_account_body(*body, true)) return *bad;
            std::lock_guard lock(m_mutex);
            const auto now = wire::rfc3339(wire::now_unix());
            const std::string platform = str(*body, "platform");
            json::array gids;
            if (auto g = jfind(*body, "group_ids"); g && g->is_array()) {
                for (const auto& v : g->as_array()) {
                    if (!v.is_int64() || !m_groups.contains(v.as_int64())) return not_found("group");
                    gids.push_back(v);
                }
            }
            if (gids.empty())
                for (const auto& [gid, grp] : m_groups)
                    if (str(grp, "name") == platform + "-default" && str(grp, "status") == "active")
                        gids.push_back(gid);
            const std::int64_t id = next_id("account");
            auto field = [&](const char* k, json::value def) {
                return body->contains(k) && !body->at(k).is_null() ? body->at(k) : def;
            };
            json::object a{{"id", id},
                           {"name", str(*body, "name")},
                           {"notes", field("notes", "")},
                           {"platform", platform},
                           {"type", str(*body, "type")},
                           {"credentials", body->at("credentials")},
                           {"extra", field("extra", json::object{})},
                           {"proxy_id", field("proxy_id", nullptr)},
                           {"concurrency", field("concurrency", 0)},
                           {"load_factor", field("load_factor", nullptr)},
                           {"priority", field("priority", 1)},
                           {"rate_multiplier", field("rate_multiplier", 1.0)},
                           {"status", "active"},
                           {"error_message", ""},
                           {"last_used_at", nullptr},
                           {"expires_at", field("expires_at", nullptr)},
                           {"auto_pause_on_expired", field("auto_pause_on_expired", true)},
                           {"schedulable", true},
                           {"rate_limited_at", nullptr},
                           {"rate_limit_reset_at", nullptr},
                           {"overload_until", nullptr},
                           {"temp_unschedulable_until", nullptr},
                           {"temp_unschedulable_reason", ""},
                           {"group_ids", gids},
                           {"created_at", now},
                           {"updated_at", now}};
            m_accounts[id] = a;
            return ok(account_view(a));
        });
    }
    if (s.size() < 2) return no_route();
    auto id = parse_id(s[1]);
    if (!id) return bad_request("invalid account id");
    if (s.size() == 3 && s[2] == "test" && m == "POST") return account_test(*id, ctx.req);
    std::optional<json::object> body;
    if (m == "PUT" || (m == "POST" && s.size() == 3 && s[2] == "schedulable")) {
        body = parse_object(ctx.req, err);
        if (!body) return err;
    }
    std::lock_guard lock(m_mutex);
    auto it = m_accounts.find(*id);
    if (it == m_accounts.end()) return not_found("account");
    auto& a = it->second;
    const auto now = wire::now_unix();
    auto clear_temp = [&] {
        a.erase("_temp_until_unix");
        a.erase("_temp_state");
        a["temp_unschedulable_until"] = nullptr;
        a["temp_unschedulable_reason"] = "";
    };
    auto clear_rate = [&] {
        a.erase("_rate_limit_reset_unix");
        a["rate_limited_at"] = nullptr;
        a["rate_limit_reset_at"] = nullptr;
        a.erase("_overload_until_unix");
        a["overload_until"] = nullptr;
    };
    if (s.size() == 2 && m == "GET") return ok(account_view(a));
    if (s.size() == 2 && m == "DELETE") {
        m_accounts.erase(it);
        return ok(json::object{{"message", "Account deleted successfully"}});
    }
    if (s.size() == 2 && m == "PUT") {
        if (auto bad = validate_account_body(*body, false)) return *bad;
        for (const auto& kv : *body) {
            const std::string key(kv.key());
            if (key == "id" || key.starts_with("_") || kv.value().is_null()) continue;
            if (key == "credentials") {
                // Sensitive keys left out are kept; non-sensitive keys are replaced wholesale.
                json::object merged = kv.value().as_object();
                if (auto old = jfind(a, "credentials"); old && old->is_object())
                    for (const auto& ov : old->as_object())
                        if (is_sensitive(ov.key()) && !merged.contains(ov.key())) merged.emplace(ov.key(), ov.value());
                a["credentials"] = merged;
                continue;
            }
            if (key == "group_ids" && kv.value().is_array()) {
                for (const auto& g : kv.value().as_array())
                    if (!g.is_int64() || !m_groups.contains(g.as_int64())) return not_found("group");
            }
            a[key] = kv.value();
        }
        if (str(a, "status") == "active") a["error_message"] = "";
        a["updated_at"] = wire::rfc3339(now);
        return ok(account_view(a));
    }
    if (s.size() == 3 && s[2] == "temp-unschedulable") {
        if (m == "DELETE") {
            clear_temp();
            return ok(json::object{{"message", "Temp unschedulable state cleared"}});
        }
        if (m == "GET") {
            if (jint(a, "_temp_until_unix").value_or(0) <= now) return ok(json::object{{"active", false}});
            return ok(json::object{{"active", true},
                                   {"state", a.contains("_temp_state") ? a["_temp_state"] : json::object{}}});
        }
    }
    if (s.size() == 3 && s[2] == "clear-error" && m == "POST") {
        a["status"] = "active";
        a["error_message"] = "";
        clear_temp();
        return ok(account_view(a));
    }
    if (s.size() == 3 && s[2] == "clear-rate-limit" && m == "POST") {
        clear_rate();
        return ok(json::object{{"message", "Rate limit cleared"}});
    }
    if (s.size() == 3 && s[2] == "recover-state" && m == "POST") {
        clear_rate();
        clear_temp();
        if (str(a, "status") == "error") a["status"] = "active";
        return ok(account_view(a));
    }
    if (s.size() == 3 && s[2] == "schedulable" && m == "POST") {
        auto v = jbool(*body, "schedulable");
        if (!v)
            return bad_request(
                "Key: 'SetSchedulableRequest.Schedulable' Error:Field validation for 'Schedulable' failed on the "
                "'required' tag");
        a["schedulable"] = *v;
        return ok(account_view(a));
    }
    if (s.size() == 3 && s[2] == "models" && m == "GET") {
        json::array out;
        if (auto mm = jpath(a, "credentials.model_mapping"); mm && mm->is_object())
            for (const auto& kv : mm->as_object())
                out.push_back(json::object{{"id", kv.key()}, {"type", "model"}, {"display_name", kv.key()}});
        return ok(out);
    }
    return no_route();
}

void HostApp::penalize(std::int64_t account_id, int status, const std::string& body, const HeaderList& headers,
                       bool from_test) {
    std::lock_guard lock(m_mutex);
    auto it = m_accounts.find(account_id);
    if (it == m_accounts.end()) return;
    auto& a = it->second;
    const auto now = wire::now_unix();
    const std::string msg = account_test_error_message(body);
    const std::string platform = str(a, "platform");
    const bool cn = std::find(k_cn_platforms.begin(), k_cn_platforms.end(), platform) != k_cn_platforms.end();
    auto set_error = [&](const std::string& text) {
        a["status"] = "error";
        a["error_message"] = text;
    };
    auto set_temp = [&](std::int64_t seconds, const std::string& reason) {
        a["_temp_until_unix"] = now + seconds;
        a["temp_unschedulable_until"] = wire::rfc3339(now + seconds);
        a["temp_unschedulable_reason"] = reason;
        a["_temp_state"] =
            json::object{{"until_unix", now + seconds}, {"triggered_at_unix", now}, {"status_code", status},
                         {"matched_keyword", ""},       {"rule_index", -1},         {"error_message", msg}};
    };
    if (status == 401) {
        set_error("Authentication failed (401): " + msg);
        return;
    }
    if (status == 429) {
        std::int64_t reset = from_test ? now : now + 60;
        for (const auto& [k, v] : headers)
            if (k == "retry-after") {
                try {
                    reset = now + std::stoll(v);
                } catch (...) {
                }
            }
        a["rate_limited_at"] = wire::rfc3339(now);
        a["rate_limit_reset_at"] = wire::rfc3339(reset);
        a["_rate_limit_reset_unix"] = reset;
        return;
    }
    if (from_test) return;
    if (status == 402) {
        if (cn) {
            set_temp(20 * 60, "cn_balance_low: " + msg);
            if (!a["extra"].is_object()) a["extra"] = json::object{};
            a["extra"].as_object()[platform + "_balance_low"] = true;
        } else {
            set_error("Payment required (402): " + msg);
        }
        return;
    }
    if (status == 403) {
        if (!body.empty() && body.front() == '<') return;  // an HTML 403 (WAF) brings no penalty
        if (platform == "anthropic") {
            set_error("Access forbidden (403): " + msg);
            return;
        }
        json::array recent;
        if (auto prev = jfind(a, "_403_times"); prev && prev->is_array())
            for (const auto& t : prev->as_array())
                if (t.is_int64() && t.as_int64() > now - 180 * 60) recent.push_back(t);
        recent.push_back(now);
        const auto n = recent.size();
        a["_403_times"] = recent;
        if (n >= 3)
            set_error("Access forbidden (403): " + msg);
        else
            set_temp(10 * 60,
                     "OpenAI 403 temporary cooldown (" + std::to_string(n) + "/3): Access forbidden (403): " + msg);
        return;
    }
    if (status == 529) {
        a["_overload_until_unix"] = now + 600;
        a["overload_until"] = wire::rfc3339(now + 600);
    }
}

void HostApp::recover_after_test(std::int64_t account_id) {
    std::lock_guard lock(m_mutex);
    auto it = m_accounts.find(account_id);
    if (it == m_accounts.end()) return;
    auto& a = it->second;
    a.erase("_temp_until_unix");
    a.erase("_temp_state");
    a["temp_unschedulable_until"] = nullptr;
    a["temp_unschedulable_reason"] = "";
    a.erase("_rate_limit_reset_unix");
    a["rate_limit_reset_at"] = nullptr;
}

}  // namespace crm::stubs
