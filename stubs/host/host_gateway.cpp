// The gateway an ordinary user's key hits: key auth (middleware error shape), /v1/models from
// account model_mapping, /v1/chat/completions with channel mapping/restriction, scheduling,
// forwarding, failover with account penalties, error mapping and usage billing.
#include <algorithm>
#include <memory>

#include "stubs/host/host_app.hpp"
#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"
#include "stubs/http/http_client.hpp"

namespace crm::stubs {

using namespace hostwire;

struct HostApp::KeyContext {
    std::int64_t key_id = 0, user_id = 0, group_id = 0;
    json::object group;
    std::string platform;
    bool subscription = false;
};

namespace {

bool is_failover(int status) {
    return status == 401 || status == 402 || status == 403 || status == 405 || status == 413 || status == 429 ||
           status == 529 || status >= 500;
}

std::string gateway_error_message(const std::string& body) {
    auto doc = util::parse_json(body, "upstream");
    if (doc)
        for (const char* path : {"error.message", "message", "base_resp.status_msg"})
            if (auto v = jpath(*doc, path); v && v->is_string()) return std::string(v->as_string());
    return body.substr(0, 300);
}

Response exhausted(int status, const HeaderList& headers) {
    Response r;
    if (status == 401)
        r = openai(502, "upstream_error", "Upstream authentication failed, please contact administrator");
    else if (status == 403)
        r = openai(502, "upstream_error", "Upstream access forbidden, please contact administrator");
    else if (status == 429)
        r = openai(429, "rate_limit_error", "Upstream rate limit exceeded, please retry later");
    else if (status == 529)
        r = openai(503, "upstream_error", "Upstream service overloaded, please retry later");
    else if (status == 500 || status == 502 || status == 503 || status == 504)
        r = openai(502, "upstream_error", "Upstream service temporarily unavailable");
    else
        r = openai(502, "upstream_error", "Upstream request failed");
    for (const auto& [k, v] : headers)
        if (k == "retry-after") r.headers.emplace_back("Retry-After", v);
    return r;
}

const std::vector<std::string>& default_models(const std::string& platform) {
    static const std::vector<std::string> gpt = {"gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-4o", "gpt-4o-mini"};
    static const std::vector<std::string> claude = {"claude-opus-4-1-20250805", "claude-sonnet-4-5-20250929",
                                                    "claude-3-5-haiku-20241022"};
    return platform == "openai" ? gpt : claude;
}

}  // namespace

Response HostApp::gateway(const Request& req, bool& matched) {
    // Gin routes by method and path before any middleware runs: another method or an
    // unserved /v1 path never reaches key auth and ends in the router's text 404.
    const auto& p = req.path;
    const bool models = req.method == "GET" && (p == "/v1/models" || p == "/models");
    const bool chat = req.method == "POST" && (p == "/v1/chat/completions" || p == "/chat/completions");
    matched = models || chat;
    if (!matched) return {};
    KeyContext kc;
    if (auto denied = gateway_auth(req, kc)) return *denied;
    if (models) return gateway_models(kc);
    return gateway_chat(req, kc);
}

bool HostApp::x_api_key_only_for(const std::string& key) const {
    // gateway_x_api_key_only: run-wide, or for groups served by such a stub upstream.
    std::lock_guard lock(m_mutex);
    if (m_config.profile.host.gateway_x_api_key_only) return true;
    for (const auto& [id, k] : m_keys) {
        if (str(k, "key") != key) continue;
        const auto gid = num(k, "group_id");
        for (const auto& [aid, a] : m_accounts)
            if (id_in(jfind(a, "group_ids"), gid) && effective_faults(a).gateway_x_api_key_only) return true;
    }
    return false;
}

std::optional<Response> HostApp::gateway_auth(const Request& req, KeyContext& kc) {
    if (req.query.contains("key") || req.query.contains("api_key"))
        return middleware(400, "api_key_in_query_deprecated",
                          "API key in query parameter is deprecated. Please use Authorization header instead.");
    std::string key;
    bool via_bearer = false;
    auto bearer = req.header("authorization");
    if (bearer && bearer->starts_with("Bearer ") && bearer->size() > 7 && !x_api_key_only_for(bearer->substr(7))) {
        key = bearer->substr(7);
        via_bearer = true;
    } else if (auto x = req.header("x-api-key"); x && !x->empty()) {
        key = *x;
    } else if (auto g = req.header("x-goog-api-key"); g && !g->empty()) {
        key = *g;
    }
    auto required = [] {
        return middleware(
            401, "API_KEY_REQUIRED",
            "API key is required in Authorization header (Bearer scheme), x-api-key header, or x-goog-api-key header");
    };
    if (key.empty()) return required();
    std::lock_guard lock(m_mutex);
    const json::object* k = nullptr;
    for (const auto& [id, v] : m_keys)
        if (str(v, "key") == key) k = &v;
    if (k && !via_bearer) {
        // gateway_bearer_only: run-wide, or for groups served by a bearer-only stub upstream.
        bool bearer_only = m_config.profile.host.gateway_bearer_only;
        const auto gid = num(*k, "group_id");
        for (const auto& [aid, a] : m_accounts)
            if (id_in(jfind(a, "group_ids"), gid) && effective_faults(a).gateway_bearer_only) bearer_only = true;
        if (bearer_only) return required();
    }
    if (!k) return middleware(401, "INVALID_API_KEY", "Invalid API key");
    if (str(*k, "status") != "active") return middleware(401, "API_KEY_DISABLED", "API key is disabled");
    const auto now = wire::now_unix();
    auto user = m_users.find(num(*k, "user_id"));
    if (user == m_users.end()) return middleware(401, "USER_NOT_FOUND", "User not found");
    if (str(user->second, "status") != "active") return middleware(401, "USER_INACTIVE", "User account is not active");
    if (jfind(*k, "group_id") == nullptr || jfind(*k, "group_id")->is_null()) {
        Response r;
        r.status = 403;
        r.body =
            R"({"type":"error","error":{"type":"permission_error","message":"API key is not bound to any group and ungrouped scheduling is disabled"}})";
        return r;
    }
    auto group = m_groups.find(num(*k, "group_id"));
    if (group == m_groups.end())
        return middleware(403, "GROUP_DELETED", "The group bound to this API key has been deleted");
    if (str(group->second, "status") != "active")
        return middleware(403, "GROUP_DISABLED", "The group bound to this API key is disabled");
    kc.key_id = num(*k, "id");
    kc.user_id = user->first;
    kc.group_id = group->first;
    kc.group = group->second;
    kc.platform = str(group->second, "platform");
    kc.subscription = str(group->second, "subscription_type") == "subscription";
    if (kc.subscription) {
        const json::object* sub = nullptr;
        for (const auto& [sid, s] : m_subscriptions)
            if (num(s, "user_id") == kc.user_id && num(s, "group_id") == kc.group_id && str(s, "status") == "active" &&
                jint(s, "_expires_unix").value_or(0) > now)
                sub = &s;
        if (!sub) return middleware(403, "SUBSCRIPTION_NOT_FOUND", "No active subscription found for this group");
        if (auto limit = jnum(kc.group, "daily_limit_usd");
            limit && *limit >= 0 && jnum(*sub, "daily_usage_usd").value_or(0.0) >= *limit)
            return middleware(429, "USAGE_LIMIT_EXCEEDED",
                              "error: code=429 reason=\"DAILY_LIMIT_EXCEEDED\" message=\"daily usage limit exceeded\"");
    } else {
        if (jbool(kc.group, "is_exclusive").value_or(false) &&
            !id_in(jfind(user->second, "allowed_groups"), kc.group_id))
            return middleware(403, "GROUP_NOT_ALLOWED", "You are no longer allowed to use this group");
        if (jnum(user->second, "balance").value_or(0.0) <= 0)
            return middleware(403, "INSUFFICIENT_BALANCE", "Insufficient account balance");
    }
    const double quota = jnum(*k, "quota").value_or(0.0);
    if (quota > 0 && jnum(*k, "quota_used").value_or(0.0) >= quota)
        return middleware(429, "API_KEY_QUOTA_EXHAUSTED", "API key quota exhausted");
    return std::nullopt;
}

Response HostApp::gateway_models(const KeyContext& kc) {
    std::lock_guard lock(m_mutex);
    const auto now = wire::now_unix();
    std::vector<std::string> ids;
    for (const auto& [id, a] : m_accounts) {
        if (str(a, "platform") != kc.platform || !id_in(jfind(a, "group_ids"), kc.group_id) || !schedulable_now(a, now))
            continue;
        if (auto mm = jpath(a, "credentials.model_mapping"); mm && mm->is_object())
            for (const auto& kv : mm->as_object())
                if (std::find(ids.begin(), ids.end(), std::string(kv.key())) == ids.end()) ids.emplace_back(kv.key());
    }
    if (ids.empty()) ids = default_models(kc.platform);
    json::array data;
    for (const auto& id : ids)
        data.push_back(
            json::object{{"id", id}, {"type", "model"}, {"display_name", id}, {"created_at", "2024-01-01T00:00:00Z"}});
    Response r;
    r.body = json::serialize(json::object{{"object", "list"}, {"data", data}});
    return r;
}

Response HostApp::gateway_chat(const Request& req, const KeyContext& kc) {
    if (req.body.empty()) return openai(400, "invalid_request_error", "Request body is empty");
    auto doc = util::parse_json(req.body, "request body");
    if (!doc || !doc->is_object()) return openai(400, "invalid_request_error", "Failed to parse request body");
    json::object body = doc->as_object();
    const std::string requested = jstr(body, "model").value_or("");
    if (requested.empty()) return openai(400, "invalid_request_error", "model is required");
    const bool stream = jbool(body, "stream").value_or(false);

    struct Candidate {
        std::int64_t id;
        std::string base_url, api_key, upstream_model;
        HostFaults faults;
    };
    std::vector<Candidate> pool;
    std::string model = requested;
    {
        std::lock_guard lock(m_mutex);
        const auto now = wire::now_unix();
        // Channel mapping runs before account selection; the restriction is checked while scheduling.
        const json::object* channel = nullptr;
        for (const auto& [cid, c] : m_channels)
            if (str(c, "status") == "active" && id_in(jfind(c, "group_ids"), kc.group_id)) channel = &c;
        bool restricted = false;
        if (channel) {
            if (auto mm = jpath(*channel, "model_mapping." + kc.platform);
                mm && mm->is_object() && !mm->as_object().empty())
                if (auto mapped = wire::map_model(mm, requested)) model = *mapped;
            if (jbool(*channel, "restrict_models").value_or(false)) {
                restricted = true;
                if (auto mp = jfind(*channel, "model_pricing"); mp && mp->is_array())
                    for (const auto& item : mp->as_array()) {
                        auto plat = jstr(item, "platform").value_or("");
                        if (!plat.empty() && plat != kc.platform) continue;
                        if (auto models = jfind(item, "models"); models && models->is_array())
                            for (const auto& mdl : models->as_array())
                                if (mdl.is_string() && (mdl.as_string() == requested || mdl.as_string() == model))
                                    restricted = false;
                    }
            }
        }
        std::vector<std::pair<std::int64_t, const json::object*>> ordered;
        for (const auto& [id, a] : m_accounts)
            if (str(a, "platform") == kc.platform && id_in(jfind(a, "group_ids"), kc.group_id) &&
                schedulable_now(a, now))
                ordered.emplace_back(jint(a, "priority").value_or(1), &a);
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        if (ordered.empty() || restricted) return openai(503, "api_error", "Service temporarily unavailable");
        for (const auto& [prio, a] : ordered) {
            auto up = wire::map_model(jpath(*a, "credentials.model_mapping"), model);
            if (!up) continue;
            pool.push_back(Candidate{num(*a, "id"), jstr(*jfind(*a, "credentials"), "base_url").value_or(""),
                                     jstr(*jfind(*a, "credentials"), "api_key").value_or(""), *up,
                                     effective_faults(*a)});
        }
        if (pool.empty())
            return openai(404, "model_not_found",
                          "Model \"" + requested + "\" is not supported by any configured account in this group");
    }

    int last_status = 0;
    HeaderList last_headers;
    std::size_t switches = 0;
    for (const auto& acc : pool) {
        if (switches > 10) break;
        json::object forward = body;
        forward["model"] = acc.upstream_model;
        if (acc.faults.responses_bridge) {
            // Chat -> Responses -> Chat: instructions come back as a `developer` message and
            // system messages are re-emitted as `developer`.
            json::array msgs{json::object{{"role", "developer"}, {"content", "You are a helpful assistant."}}};
            if (auto m = jfind(body, "messages"); m && m->is_array())
                for (auto msg : m->as_array()) {
                    if (msg.is_object() && jstr(msg, "role").value_or("") == "system")
                        msg.as_object()["role"] = "developer";
                    msgs.push_back(msg);
                }
            forward["messages"] = msgs;
        }
        if (stream) forward["stream_options"] = json::object{{"include_usage", true}};
        std::string url = wire::chat_url(acc.base_url);
        if (acc.faults.force_responses) {
            // Chat -> Responses with no fallback: the upstream is called on /v1/responses.
            json::object responses{{"model", acc.upstream_model}, {"stream", stream}};
            if (auto m = jfind(body, "messages")) responses["input"] = *m;
            forward = std::move(responses);
            url = url.substr(0, url.size() - std::string("/chat/completions").size()) + "/responses";
        }
        ClientRequest call;
        call.method = "POST";
        call.cancel = &m_stopping;
        call.url = url;
        call.headers = {{"Authorization", "Bearer " + acc.api_key}, {"Content-Type", "application/json"}};
        call.body = json::serialize(forward);
        call.timeout = std::chrono::milliseconds(300000);
        // The call runs on this connection's thread over a pooled keep-alive connection (see
        // http_client.hpp): no thread per call, and a stream is relayed by the same thread after
        // the status was checked for failover.
        auto opened = ClientCall::open(call, &m_upstream_pool);
        if (!opened) {
            last_status = 502;
            last_headers.clear();
            ++switches;
            continue;
        }
        std::shared_ptr<ClientCall> upstream = std::move(*opened);
        const int status = upstream->head().status;
        if (status != 200) {
            std::string err_body;
            upstream->read_body([&](std::string_view piece) {
                err_body.append(piece);
                return true;
            });
            last_status = status;
            last_headers = upstream->head().headers;
            const bool bridged_4xx =
                (acc.faults.responses_bridge || acc.faults.force_responses) && status >= 400 && status < 500;
            if (!is_failover(status) && !bridged_4xx) {
                const char* type = status == 400   ? "invalid_request_error"
                                   : status == 404 ? "not_found_error"
                                   : status == 429 ? "rate_limit_error"
                                                   : "api_error";
                return openai(status, type, gateway_error_message(err_body));
            }
            if (!bridged_4xx) penalize(acc.id, status, err_body, last_headers, false);
            ++switches;
            continue;
        }
        const std::int64_t account_id = acc.id;
        if (!stream) {
            std::string out;
            upstream->read_body([&](std::string_view piece) {
                out.append(piece);
                return true;
            });
            auto parsed = util::parse_json(out, "upstream");
            if (!parsed || !parsed->is_object())  // e.g. only keep-alive blank lines until the upstream gave up
                return openai(502, "upstream_error", "Upstream request failed");
            record_usage(kc, account_id, model, jint(*parsed, "usage.prompt_tokens").value_or(0),
                         jpath(*parsed, "usage.completion_tokens")
                             ? jpath(*parsed, "usage.completion_tokens")->to_number<std::int64_t>()
                             : 0,
                         false);
            Response r;
            r.body = std::move(out);
            return r;
        }
        Response r;
        r.content_type = "text/event-stream";
        r.stream = [this, upstream, kc, account_id, model](StreamWriter& w) {
            std::string pending;
            std::int64_t prompt = 0, completion = 0;
            bool done = false, gone = false;
            upstream->read_body([&](std::string_view piece) {
                if (!w.write(piece)) {
                    gone = true;
                    return false;
                }
                pending.append(piece);
                std::size_t nl;
                while ((nl = pending.find('\n')) != std::string::npos) {
                    std::string line = pending.substr(0, nl);
                    pending.erase(0, nl + 1);
                    if (!line.starts_with("data:")) continue;
                    std::string data = line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
                    if (!data.empty() && data.back() == '\r') data.pop_back();
                    if (data == "[DONE]") {
                        done = true;
                        continue;
                    }
                    if (auto d = util::parse_json(data, "sse")) {
                        if (auto u = jfind(*d, "usage"); u && u->is_object()) {
                            prompt = jint(*u, "prompt_tokens").value_or(prompt);
                            completion = jint(*u, "completion_tokens").value_or(completion);
                        }
                    }
                }
                return true;
            });
            if (gone) return;
            if (done || prompt > 0) record_usage(kc, account_id, model, prompt, completion, true);
        };
        return r;
    }
    return exhausted(last_status == 0 ? 502 : last_status, last_headers);
}

void HostApp::record_usage(const KeyContext& kc, std::int64_t account_id, const std::string& model,
                           std::int64_t prompt_tokens, std::int64_t completion_tokens, bool stream) {
    std::lock_guard lock(m_mutex);
    bump_version();  // a streamed chat records its usage after its request was answered
    // Price lookup: the group's channel pricing first, then the group's own model_pricing.
    double cost = 0;
    bool priced = false;
    auto price_from = [&](const json::value* list) {
        if (priced || !list || !list->is_array()) return;
        for (const auto& item : list->as_array()) {
            auto plat = jstr(item, "platform").value_or("");
            if (!plat.empty() && plat != kc.platform) continue;
            auto models = jfind(item, "models");
            if (!models || !models->is_array()) continue;
            for (const auto& m : models->as_array()) {
                if (!m.is_string() || m.as_string() != model) continue;
                priced = true;
                if (jstr(item, "billing_mode").value_or("token") == "per_request")
                    cost = jnum(item, "per_request_price").value_or(0.0);
                else
                    cost = static_cast<double>(prompt_tokens) * jnum(item, "input_price").value_or(0.0) +
                           static_cast<double>(completion_tokens) * jnum(item, "output_price").value_or(0.0);
                return;
            }
        }
    };
    for (const auto& [cid, c] : m_channels)
        if (str(c, "status") == "active" && id_in(jfind(c, "group_ids"), kc.group_id))
            price_from(jfind(c, "model_pricing"));
    if (auto g = m_groups.find(kc.group_id); g != m_groups.end()) price_from(jfind(g->second, "model_pricing"));
    const double rate = jnum(kc.group, "rate_multiplier").value_or(1.0);
    const double actual = cost * rate;
    if (kc.subscription) {
        for (auto& [sid, s] : m_subscriptions)
            if (num(s, "user_id") == kc.user_id && num(s, "group_id") == kc.group_id && str(s, "status") == "active")
                for (const char* k : {"daily_usage_usd", "weekly_usage_usd", "monthly_usage_usd"})
                    s[k] = jnum(s, k).value_or(0.0) + actual;
    } else if (auto u = m_users.find(kc.user_id); u != m_users.end()) {
        u->second["balance"] = jnum(u->second, "balance").value_or(0.0) - actual;
    }
    if (auto k = m_keys.find(kc.key_id); k != m_keys.end())
        k->second["quota_used"] = jnum(k->second, "quota_used").value_or(0.0) + actual;
    const auto now = wire::now_unix();
    if (auto a = m_accounts.find(account_id); a != m_accounts.end()) a->second["last_used_at"] = wire::rfc3339(now);
    const std::int64_t id = next_id("usage");
    m_usage.push_back(json::object{{"id", id},
                                   {"user_id", kc.user_id},
                                   {"api_key_id", kc.key_id},
                                   {"account_id", account_id},
                                   {"group_id", kc.group_id},
                                   {"model", model},
                                   {"input_tokens", prompt_tokens},
                                   {"output_tokens", completion_tokens},
                                   {"total_cost", cost},
                                   {"actual_cost", actual},
                                   {"rate_multiplier", rate},
                                   {"priced", priced},
                                   {"stream", stream},
                                   {"created_at", wire::rfc3339(now)}});
}

}  // namespace crm::stubs
