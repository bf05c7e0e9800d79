#pragma once
// Test helpers for the stub host: a loopback client (the stub's own Beast client) and a
// provisioning walk that follows the sub2api v0.1.179 sequence.
#include <catch2/catch.hpp>
#include <string>

#include "stubs/http/http_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/json.hpp"

namespace crm::stubs::test {

namespace json = util::json;

struct Reply {
    int status = 0;
    std::string body;
    HeaderList headers;
    json::value doc;  // null when the body is not JSON
    [[nodiscard]] std::string header(const std::string& lower) const {
        for (const auto& [k, v] : headers)
            if (k == lower) return v;
        return {};
    }
    [[nodiscard]] std::string str(const char* path) const {
        auto v = util::find_path(doc, path);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    }
    [[nodiscard]] std::int64_t num(const char* path) const {
        auto v = util::find_path(doc, path);
        return v && v->is_int64() ? v->as_int64() : -1;
    }
    [[nodiscard]] double real(const char* path) const {
        auto v = util::find_path(doc, path);
        return v && v->is_number() ? v->to_number<double>() : -1.0;
    }
};

inline Reply call(const std::string& method, const std::string& url, const std::string& body = {},
                  HeaderList headers = {}, int timeout_ms = 20000) {
    ClientRequest req;
    req.method = method;
    req.url = url;
    req.body = body;
    req.headers = std::move(headers);
    req.timeout = std::chrono::milliseconds(timeout_ms);
    auto r = http_call(req);
    REQUIRE(r.has_value());
    Reply out{r->status, r->body, r->headers, nullptr};
    if (auto doc = util::parse_json(r->body, "reply")) out.doc = *doc;
    return out;
}

struct Admin {
    std::string base;
    std::string key;
    Reply get(const std::string& path) const { return call("GET", base + path, {}, {{"x-api-key", key}}); }
    Reply post(const std::string& path, const std::string& body, HeaderList extra = {}) const {
        extra.emplace_back("x-api-key", key);
        return call("POST", base + path, body, extra);
    }
    Reply put(const std::string& path, const std::string& body) const {
        return call("PUT", base + path, body, {{"x-api-key", key}});
    }
    Reply del(const std::string& path) const { return call("DELETE", base + path, {}, {{"x-api-key", key}}); }
};

inline Admin admin_of(const StubCluster& c) { return Admin{c.endpoints().host_url, c.endpoints().admin_api_key}; }

inline std::unique_ptr<StubCluster> start_cluster(StubOptions options = {}) {
    auto c = StubCluster::start(std::move(options));
    REQUIRE(c.has_value());
    return std::move(*c);
}

// One provisioned access path: group + account(s) + user + key.
struct Access {
    std::int64_t group_id = 0, user_id = 0;
    std::vector<std::int64_t> account_ids;
    std::string user_email, user_password, user_token, key;
};

struct WalkOptions {
    std::string upstream = "deepseek";
    std::string platform = "deepseek";
    std::string model = "deepseek-chat";
    bool subscription = false;
    int accounts = 1;
    std::string name = "t";
    bool pricing_channel = true;
};

inline Access provision(const StubCluster& c, const WalkOptions& o) {
    const auto admin = admin_of(c);
    Access a;
    json::object group{{"name", o.name + "-group"},
                       {"platform", o.platform},
                       {"rate_multiplier", 1},
                       {"subscription_type", o.subscription ? "subscription" : "standard"}};
    if (o.subscription) group["daily_limit_usd"] = 5;
    auto g = admin.post("/api/v1/admin/groups", json::serialize(group));
    REQUIRE(g.status == 200);
    a.group_id = g.num("data.id");
    for (int i = 0; i < o.accounts; ++i) {
        json::object extra;
        if (o.platform == "openai") extra["openai_responses_mode"] = "force_chat_completions";
        json::object acc{{"name", o.name + "-acc-" + std::to_string(i)},
                         {"platform", o.platform},
                         {"type", "apikey"},
                         {"credentials", json::object{{"api_key", c.endpoints().upstream_keys.at(o.upstream)},
                                                      {"base_url", c.endpoints().upstream_urls.at(o.upstream)},
                                                      {"model_mapping", json::object{{o.model, o.model}}}}},
                         {"extra", extra},
                         {"concurrency", 0},
                         {"priority", 1},
                         {"group_ids", json::array{a.group_id}}};
        auto r = admin.post("/api/v1/admin/accounts", json::serialize(acc));
        INFO(r.body << " req=" << json::serialize(acc) << " group=" << g.body);
        REQUIRE(r.status == 200);
        a.account_ids.push_back(r.num("data.id"));
    }
    if (o.pricing_channel) {
        json::object ch{{"name", o.name + "-channel"},
                        {"group_ids", json::array{a.group_id}},
                        {"model_pricing", json::array{json::object{{"platform", o.platform},
                                                                   {"models", json::array{o.model}},
                                                                   {"billing_mode", "token"},
                                                                   {"input_price", 0.001},
                                                                   {"output_price", 0.002}}}}};
        auto chr = admin.post("/api/v1/admin/channels", json::serialize(ch));
        INFO(chr.body);
        REQUIRE(chr.status == 200);
    }
    a.user_email = o.name + "-user@example.com";
    a.user_password = "secret-" + o.name;
    auto u = admin.post("/api/v1/admin/users",
                        json::serialize(json::object{{"email", a.user_email}, {"password", a.user_password}}));
    REQUIRE(u.status == 200);
    a.user_id = u.num("data.id");
    if (o.subscription) {
        auto s = admin.post(
            "/api/v1/admin/subscriptions/assign",
            json::serialize(json::object{{"user_id", a.user_id}, {"group_id", a.group_id}, {"validity_days", 30}}));
        REQUIRE(s.status == 200);
    } else {
        auto b = admin.post("/api/v1/admin/users/" + std::to_string(a.user_id) + "/balance",
                            R"({"balance":5,"operation":"add"})");
        REQUIRE(b.status == 200);
    }
    auto login = call("POST", c.endpoints().host_url + "/api/v1/auth/login",
                      json::serialize(json::object{{"email", a.user_email}, {"password", a.user_password}}));
    REQUIRE(login.status == 200);
    a.user_token = login.str("data.access_token");
    auto k = call("POST", c.endpoints().host_url + "/api/v1/keys",
                  json::serialize(json::object{{"name", "probe"}, {"group_id", a.group_id}}),
                  {{"Authorization", "Bearer " + a.user_token}});
    REQUIRE(k.status == 200);
    a.key = k.str("data.key");
    return a;
}

inline Reply chat(const StubCluster& c, const std::string& key, const std::string& model, bool stream = false,
                  HeaderList auth = {}) {
    if (auth.empty()) auth = {{"Authorization", "Bearer " + key}};
    json::object body{{"model", model}, {"messages", json::array{json::object{{"role", "user"}, {"content", "ping"}}}}};
    if (stream) body["stream"] = true;
    return call("POST", c.endpoints().host_url + "/v1/chat/completions", json::serialize(body), auth);
}

// The `data:` payloads of an SSE body, in order.
inline std::vector<json::value> sse_events(const std::string& body) {
    std::vector<json::value> out;
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto nl = body.find('\n', pos);
        std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? body.size() : nl + 1;
        if (!line.starts_with("data: ")) continue;
        auto doc = util::parse_json(line.substr(6), "sse");
        out.push_back(doc ? *doc : json::value(line.substr(6)));
    }
    return out;
}

}  // namespace crm::stubs::test
