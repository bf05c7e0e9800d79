#include <filesystem>
#include <fstream>

#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

namespace {
std::unique_ptr<StubCluster> with_profile(const std::string& profile) {
    StubOptions o;
    o.host_profile = profile;
    return start_cluster(o);
}
std::string temp_profile(const std::string& name, const std::string& text) {
    auto path =
        std::filesystem::temp_directory_path() / ("crm-stub-" + name + "-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << text;
    return path.string();
}
Reply upstream_chat(const StubCluster& c, const std::string& name, const std::string& model, bool stream,
                    const std::string& role = "user") {
    json::object body{{"model", model}, {"messages", json::array{json::object{{"role", role}, {"content", "ping"}}}}};
    if (stream) body["stream"] = true;
    return call("POST", c.endpoints().upstream_urls.at(name) + "/chat/completions", json::serialize(body),
                {{"Authorization", "Bearer " + c.endpoints().upstream_keys.at(name)}});
}
}  // namespace

TEST_CASE("profile upstream_quota_exhausted: 403 insufficient_user_quota, failover, 10 min cooldowns, 502") {
    auto c = with_profile("upstream_quota_exhausted");
    WalkOptions o;
    o.accounts = 3;
    auto a = provision(*c, o);
    auto direct = upstream_chat(*c, "deepseek", "deepseek-chat", false);
    CHECK(direct.status == 403);
    CHECK(direct.str("error.code") == "insufficient_user_quota");
    const auto before = c->counters().upstream_calls.at("deepseek");
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.type") == "upstream_error");
    CHECK(r.str("error.message") == "Upstream access forbidden, please contact administrator");
    CHECK(c->counters().upstream_calls.at("deepseek") == before + 3);  // every account tried once
    for (auto id : a.account_ids) {
        auto acc = admin_of(*c).get("/api/v1/admin/accounts/" + std::to_string(id));
        CHECK(
            acc.str("data.temp_unschedulable_reason")
                .starts_with("OpenAI 403 temporary cooldown (1/3): Access forbidden (403): user quota is not enough"));
        CHECK_FALSE(acc.str("data.temp_unschedulable_until").empty());
    }
    CHECK(chat(*c, a.key, "deepseek-chat").status == 503);
}

TEST_CASE("profile host_chat_incompatible: upstream direct 200 (also SSE), host 502 across duplicate accounts") {
    auto c = with_profile("host_chat_incompatible");
    WalkOptions o;
    o.accounts = 2;
    auto a = provision(*c, o);
    CHECK(upstream_chat(*c, "deepseek", "deepseek-chat", false).status == 200);
    auto sse = upstream_chat(*c, "deepseek", "deepseek-chat", true);
    CHECK(sse.status == 200);
    CHECK(sse.body.find("[DONE]") != std::string::npos);
    auto dev = upstream_chat(*c, "deepseek", "deepseek-chat", false, "developer");
    CHECK(dev.status == 400);
    CHECK(dev.str("error.message").find("unknown variant `developer`") != std::string::npos);
    const auto before = c->counters().upstream_calls.at("deepseek");
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.type") == "upstream_error");
    CHECK(r.str("error.message") == "Upstream request failed");
    CHECK(c->counters().upstream_calls.at("deepseek") == before + 2);
    CHECK(chat(*c, a.key, "deepseek-chat", true).status == 502);
}

TEST_CASE("profile gateway_rejects_x_api_key: only Authorization: Bearer authenticates") {
    auto c = with_profile("gateway_rejects_x_api_key");
    auto a = provision(*c, WalkOptions{});
    auto x = chat(*c, a.key, "deepseek-chat", false, {{"x-api-key", a.key}});
    CHECK(x.status == 401);
    CHECK(x.str("code") == "API_KEY_REQUIRED");
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
}

TEST_CASE("profile account_probe_429: the account test sees a transient 429, the gateway then works") {
    auto c = with_profile("account_probe_429");
    auto a = provision(*c, WalkOptions{});
    auto admin = admin_of(*c);
    auto t = admin.post("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]) + "/test",
                        R"({"model_id":"deepseek-chat"})");
    auto events = sse_events(t.body);
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().at("type").as_string() == "error");
    CHECK(t.body.find("429") != std::string::npos);
    CHECK_FALSE(
        admin.get("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0])).str("data.rate_limited_at").empty());
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
    CHECK(chat(*c, a.key, "deepseek-chat", true).status == 200);
}

TEST_CASE(
    "profile models_only: /v1/models lists the model, upstream direct works, host completions go to /v1/responses and "
    "fail") {
    auto c = with_profile("models_only");
    WalkOptions o;
    o.accounts = 2;
    auto a = provision(*c, o);
    auto m = call("GET", c->endpoints().host_url + "/v1/models", {}, {{"Authorization", "Bearer " + a.key}});
    CHECK(m.status == 200);
    CHECK(m.body.find("deepseek-chat") != std::string::npos);
    auto direct_models = call("GET", c->endpoints().upstream_urls.at("deepseek") + "/models", {},
                              {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at("deepseek")}});
    CHECK(direct_models.status == 200);
    CHECK(upstream_chat(*c, "deepseek", "deepseek-chat", false).status == 200);
    auto direct_sse = upstream_chat(*c, "deepseek", "deepseek-chat", true);
    CHECK(direct_sse.status == 200);
    CHECK(direct_sse.body.find("[DONE]") != std::string::npos);
    auto responses = call("POST", c->endpoints().upstream_urls.at("deepseek") + "/responses",
                          R"({"model":"deepseek-chat","input":"ping"})",
                          {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at("deepseek")}});
    CHECK(responses.status == 404);
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.type") == "upstream_error");
    CHECK(r.str("error.message") == "Upstream request failed");
    CHECK(chat(*c, a.key, "deepseek-chat", true).status == 502);
    for (auto id : a.account_ids) {  // a missing route is no account fault: nobody is penalised
        auto acc = admin_of(*c).get("/api/v1/admin/accounts/" + std::to_string(id));
        CHECK(acc.str("data.status") == "active");
        CHECK(acc.str("data.temp_unschedulable_until").empty());
    }
    // The admin account test runs in the same forced mode and does not fall back either.
    auto t = admin_of(*c).post("/api/v1/admin/accounts/" + std::to_string(a.account_ids.front()) + "/test",
                               R"({"model_id":"deepseek-chat"})");
    CHECK(t.status == 200);
    CHECK(sse_events(t.body).back().at("type").as_string() == "error");
    CHECK(t.body.find("/v1/responses") != std::string::npos);
}

TEST_CASE("profile models_only per upstream: only accounts on that upstream are forced onto /v1/responses") {
    StubOptions o;
    o.upstreams = {{"deepseek", "deepseek", "models_only"}, {"kimi", "openai", "healthy"}};
    auto c = start_cluster(o);
    auto a = provision(*c, WalkOptions{});
    CHECK(chat(*c, a.key, "deepseek-chat").status == 502);
    WalkOptions k;
    k.name = "ki";
    k.upstream = "kimi";
    k.platform = "openai";
    k.model = "kimi-k2-0905-preview";
    auto b = provision(*c, k);
    CHECK(chat(*c, b.key, "kimi-k2-0905-preview").status == 200);
}

TEST_CASE("profile sse_truncated: streams end without [DONE]; non-stream still works") {
    auto c = with_profile("sse_truncated");
    auto a = provision(*c, WalkOptions{});
    auto direct = upstream_chat(*c, "deepseek", "deepseek-chat", true);
    CHECK(direct.body.find("data: ") != std::string::npos);
    CHECK(direct.body.find("[DONE]") == std::string::npos);
    auto s = chat(*c, a.key, "deepseek-chat", true);
    CHECK(s.status == 200);
    CHECK(s.body.find("pong") != std::string::npos);
    CHECK(s.body.find("[DONE]") == std::string::npos);
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
    auto t = admin_of(*c).post("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]) + "/test",
                               R"({"model_id":"deepseek-chat"})");
    CHECK(t.body.find("ended before [DONE]") != std::string::npos);
}

TEST_CASE("profile keepalive_stall: keep-alive comments only, bounded by stall_max_ms") {
    const auto path = temp_profile(
        "stall",
        R"({"name":"short_stall","description":"d","upstream":{"stream_mode":"keepalive_stall","stall_max_ms":400,"keepalive_interval_ms":50}})");
    auto c = with_profile(path);
    auto a = provision(*c, WalkOptions{});
    auto direct = upstream_chat(*c, "deepseek", "deepseek-chat", true);
    CHECK(direct.status == 200);
    CHECK(direct.body.find(": keep-alive") != std::string::npos);
    CHECK(direct.body.find("data:") == std::string::npos);
    auto s = chat(*c, a.key, "deepseek-chat", true);
    CHECK(s.status == 200);
    CHECK(s.body.find(": keep-alive") != std::string::npos);
    CHECK(s.body.find("[DONE]") == std::string::npos);
    std::filesystem::remove(path);
}

TEST_CASE("profile keepalive_stall: the stall ends when the client goes away or the cluster stops") {
    auto c = with_profile("keepalive_stall");
    ClientRequest req;
    req.method = "POST";
    req.url = c->endpoints().upstream_urls.at("deepseek") + "/chat/completions";
    req.headers = {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at("deepseek")}};
    req.body = R"({"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"x"}]})";
    int beats = 0;
    req.on_chunk = [&](std::string_view) { return ++beats < 3; };  // hang up after three beats
    auto r = http_call(req);
    REQUIRE(r.has_value());
    CHECK_FALSE(r->complete);
    c->release_stalls();
    c->stop();  // must return: open stalls are woken and joined
    SUCCEED();
}

TEST_CASE("profile shared_host_residue: foreign groups, accounts and channels exist at start") {
    auto c = with_profile("shared_host_residue");
    auto admin = admin_of(*c);
    CHECK(admin.get("/api/v1/admin/groups").num("data.total") == 2);
    CHECK(admin.get("/api/v1/admin/accounts?platform=deepseek").num("data.total") == 1);
    CHECK(admin.get("/api/v1/admin/channels").num("data.total") == 1);
    // A run's own resources still work next to the residue.
    auto a = provision(*c, WalkOptions{});
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
}

TEST_CASE("profile upstream_down: 503 upstream, host fails over and answers 502 temporarily unavailable") {
    auto c = with_profile("upstream_down");
    auto a = provision(*c, WalkOptions{});
    CHECK(upstream_chat(*c, "deepseek", "deepseek-chat", false).status == 503);
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.message") == "Upstream service temporarily unavailable");
    CHECK(admin_of(*c).get("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0])).str("data.status") ==
          "active");
}

TEST_CASE("profile latency: answers stay correct with injected latency") {
    const auto path = temp_profile("lat", R"({"name":"lat","description":"d","upstream":{"latency_ms":50}})");
    auto c = with_profile(path);
    auto a = provision(*c, WalkOptions{});
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
    CHECK(load_profile("latency")->upstream.latency_ms == 300);
    std::filesystem::remove(path);
}

TEST_CASE("per-provider profile: only that provider's upstream and accounts are affected") {
    StubOptions o;
    o.upstreams = {{"deepseek", "deepseek", "upstream_quota_exhausted"},
                   {"kimi", "openai", "gateway_rejects_x_api_key"},
                   {"minimax", "minimax", "healthy"}};
    auto c = start_cluster(o);
    auto ds = provision(*c, WalkOptions{});
    WalkOptions mm;
    mm.name = "mm";
    mm.upstream = "minimax";
    mm.platform = "openai";
    mm.model = "MiniMax-M2.7";
    auto m = provision(*c, mm);
    WalkOptions ki;
    ki.name = "ki";
    ki.upstream = "kimi";
    ki.platform = "openai";
    ki.model = "kimi-k2-0905-preview";
    auto k = provision(*c, ki);
    CHECK(chat(*c, ds.key, "deepseek-chat").status == 502);
    CHECK(chat(*c, m.key, "MiniMax-M2.7").status == 200);
    CHECK(chat(*c, m.key, "MiniMax-M2.7", false, {{"x-api-key", m.key}}).status == 200);
    CHECK(chat(*c, k.key, "kimi-k2-0905-preview", false, {{"x-api-key", k.key}}).status == 401);
    CHECK(chat(*c, k.key, "kimi-k2-0905-preview").status == 200);
}

TEST_CASE("stub upstreams: bearer auth with provider-shaped 401s, /models with and without /v1") {
    auto c = start_cluster();
    for (const auto& [name, url] : c->endpoints().upstream_urls) {
        INFO(name);
        auto bad = call("GET", url + "/models", {}, {{"Authorization", "Bearer nope"}});
        CHECK(bad.status == 401);
        auto good =
            call("GET", url + "/models", {}, {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at(name)}});
        CHECK(good.status == 200);
        CHECK(good.str("object") == "list");
    }
    CHECK(call("GET", c->endpoints().upstream_urls.at("deepseek") + "/v1/models", {},
               {{"Authorization", "Bearer " + c->endpoints().upstream_keys.at("deepseek")}})
              .status == 200);
    auto mm = call("POST", c->endpoints().upstream_urls.at("minimax") + "/chat/completions", "{}",
                   {{"Authorization", "Bearer x"}});
    CHECK(mm.str("error.message").find("(1004)") != std::string::npos);
    CHECK(upstream_chat(*c, "minimax", "MiniMax-M2.7", false, "developer").str("error.message").find("(2013)") !=
          std::string::npos);
    CHECK(upstream_chat(*c, "kimi", "kimi-k2-0905-preview", false, "developer").status == 200);
    CHECK(upstream_chat(*c, "deepseek", "no-such-model", false).str("error.message") == "Model Not Exist");
}

TEST_CASE("profile keepalive_stall: a client leaving a gateway stream ends the relay; stop() does not hang") {
    auto c = with_profile("keepalive_stall");
    auto a = provision(*c, WalkOptions{});
    ClientRequest req;
    req.method = "POST";
    req.url = c->endpoints().host_url + "/v1/chat/completions";
    req.headers = {{"Authorization", "Bearer " + a.key}};
    req.body = R"({"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"x"}]})";
    int beats = 0;
    req.on_chunk = [&](std::string_view chunk) {
        if (chunk.find(": keep-alive") != std::string_view::npos) ++beats;
        return beats < 2;
    };
    auto r = http_call(req);
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK_FALSE(r->complete);
    c->stop();
    SUCCEED();
}

TEST_CASE("stub host: every unrouted path and method answers Gin's text 404, before auth") {
    auto c = start_cluster();
    const auto& host = c->endpoints().host_url;
    auto admin = admin_of(*c);
    auto expect_gin_404 = [](const Reply& r) {
        CHECK(r.status == 404);
        CHECK(r.body == "404 page not found");
        CHECK(r.header("content-type").starts_with("text/plain"));
    };
    expect_gin_404(call("GET", host + "/no/such/path"));
    expect_gin_404(call("POST", host + "/health"));                       // routed path, other method
    expect_gin_404(call("GET", host + "/v1/chat/completions"));           // gateway path, other method
    expect_gin_404(call("POST", host + "/v1/embeddings-unknown", "{}"));  // unserved /v1 path, no key
    expect_gin_404(admin.get("/api/v1/admin/no-such-family"));
    expect_gin_404(admin.get("/api/v1/admin/accounts/1/no-such-action"));
    expect_gin_404(admin.post("/api/v1/admin/users/1/api-keys", "{}"));  // fork route off by default
    expect_gin_404(call("PATCH", host + "/api/v1/keys/1", "{}", {{"Authorization", "Bearer x"}}));
}

TEST_CASE("profile no_fork_key_route: the fork key route is Gin's 404 even on a fork-started host") {
    StubOptions o;
    o.host_profile = "no_fork_key_route";
    o.fork_admin_key_route = true;
    auto c = start_cluster(o);
    auto r = admin_of(*c).post("/api/v1/admin/users/1/api-keys", R"({"name":"k","group_id":1})");
    CHECK(r.status == 404);
    CHECK(r.body == "404 page not found");
    CHECK(r.header("content-type").starts_with("text/plain"));
    CHECK(admin_of(*c).get("/api/v1/admin/system/version").status == 200);
}

TEST_CASE("profile reverse_proxy_errors: the proxy answers nginx HTML 504 on chat and 502 on the account test") {
    auto c = with_profile("reverse_proxy_errors");
    auto r = chat(*c, "sk-whatever", "deepseek-chat");
    CHECK(r.status == 504);
    CHECK(r.header("content-type").starts_with("text/html"));
    CHECK(r.body.find("<title>504 Gateway Time-out</title>") != std::string::npos);
    auto test = admin_of(*c).post("/api/v1/admin/accounts/1/test", "{}");
    CHECK(test.status == 502);
    CHECK(test.body.find("<h1>502 Bad Gateway</h1>") != std::string::npos);
    CHECK(admin_of(*c).get("/api/v1/admin/accounts/1").status == 404);  // other routes reach the host
    c->set_route_faults({}, {{"GET /health", 502}});
    CHECK(call("GET", c->endpoints().host_url + "/health").status == 502);
    CHECK(admin_of(*c).get("/api/v1/admin/accounts").status == 200);
}

TEST_CASE("profile gateway_accepts_only_x_api_key: a Bearer key is ignored, the same key as x-api-key works") {
    auto c = with_profile("gateway_accepts_only_x_api_key");
    auto a = provision(*c, WalkOptions{});
    auto b = chat(*c, a.key, "deepseek-chat");
    CHECK(b.status == 401);
    CHECK(b.str("code") == "API_KEY_REQUIRED");
    CHECK(chat(*c, a.key, "deepseek-chat", false, {{"x-api-key", a.key}}).status == 200);
}

TEST_CASE("profile admin_stall: the first admin DELETE is applied at once and its answer held back") {
    auto c = with_profile(temp_profile("admin-stall", R"({"name":"admin_stall","description":"d",
        "host":{"admin_stall_method":"DELETE","admin_stall_ms":600000,"admin_stall_count":1}})"));
    const auto admin = admin_of(*c);
    auto g =
        admin.post("/api/v1/admin/groups",
                   R"({"name":"stall-a","platform":"deepseek","rate_multiplier":1,"subscription_type":"standard"})");
    REQUIRE(g.status == 200);
    auto g2 =
        admin.post("/api/v1/admin/groups",
                   R"({"name":"stall-b","platform":"deepseek","rate_multiplier":1,"subscription_type":"standard"})");
    REQUIRE(g2.status == 200);
    const auto id = std::to_string(static_cast<std::int64_t>(g.num("data.id")));
    // The client gives up long before the stall ends: no answer, yet the group is gone.
    ClientRequest req;
    req.method = "DELETE";
    req.url = c->endpoints().host_url + "/api/v1/admin/groups/" + id;
    req.headers = {{"x-api-key", c->endpoints().admin_api_key}};
    req.timeout = std::chrono::milliseconds(300);
    auto stalled = http_call(req);
    REQUIRE_FALSE(stalled.has_value());
    CHECK(stalled.error().code == crm::util::ErrorCode::timeout);
    CHECK(admin.get("/api/v1/admin/groups/" + id).status == 404);
    // Only the first DELETE stalls; GETs and POSTs never do.
    CHECK(admin.del("/api/v1/admin/groups/" + std::to_string(static_cast<std::int64_t>(g2.num("data.id")))).status ==
          200);
    // stop() ends the held-back answer instead of waiting out the stall.
    c->stop();
}

TEST_CASE("profile admin_stall: an unknown method is rejected") {
    CHECK_FALSE(
        parse_profile(R"({"name":"x","host":{"admin_stall_method":"PATCH","admin_stall_ms":5}})", "t").has_value());
    CHECK(load_profile("admin_delete_stall")->host.admin_stall_method == "DELETE");
}
