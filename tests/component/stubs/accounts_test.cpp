#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

namespace {
json::object account_body(const StubCluster& c, const std::string& name, std::int64_t gid, const std::string& key) {
    return json::object{
        {"name", name},
        {"platform", "deepseek"},
        {"type", "apikey"},
        {"credentials", json::object{{"api_key", key},
                                     {"base_url", c.endpoints().upstream_urls.at("deepseek")},
                                     {"account_mode", "payg"},
                                     {"api_protocol", "chat_completions"},
                                     {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}},
        {"group_ids", json::array{gid}}};
}
}  // namespace

TEST_CASE("stub host: account GET redacts credentials, PUT keeps omitted secrets and replaces the rest") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"ag","platform":"deepseek","rate_multiplier":1})");
    auto a = admin.post(
        "/api/v1/admin/accounts",
        json::serialize(account_body(*c, "a1", g.num("data.id"), c->endpoints().upstream_keys.at("deepseek"))));
    REQUIRE(a.status == 200);
    CHECK(a.str("data.status") == "active");
    CHECK(a.doc.at("data").at("schedulable").as_bool());
    const auto path = "/api/v1/admin/accounts/" + std::to_string(a.num("data.id"));
    auto got = admin.get(path);
    CHECK_FALSE(got.doc.at("data").at("credentials").as_object().contains("api_key"));
    CHECK(got.doc.at("data").at("credentials_status").at("has_api_key").as_bool());
    CHECK(got.body.find(c->endpoints().upstream_keys.at("deepseek")) == std::string::npos);
    auto put = admin.put(path, R"({"credentials":{"model_mapping":{"deepseek-reasoner":"deepseek-reasoner"}}})");
    REQUIRE(put.status == 200);
    CHECK_FALSE(put.doc.at("data").at("credentials").as_object().contains("base_url"));  // replaced wholesale
    CHECK(put.doc.at("data").at("credentials_status").at("has_api_key").as_bool());      // secret kept
    CHECK(admin.put(path, R"({"status":"bogus"})").status == 400);
    CHECK(admin.post("/api/v1/admin/accounts", R"({"name":"x","platform":"deepseek","type":"magic","credentials":{}})")
              .status == 400);
    CHECK(admin.post("/api/v1/admin/accounts", R"({"name":"x","platform":"deepseek","type":"apikey"})").status == 400);
}

TEST_CASE("stub host: account list filters and ETag / 304") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"ag","platform":"deepseek","rate_multiplier":1})");
    const auto gid = g.num("data.id");
    const auto key = c->endpoints().upstream_keys.at("deepseek");
    admin.post("/api/v1/admin/accounts", json::serialize(account_body(*c, "alpha", gid, key)));
    auto b = admin.post("/api/v1/admin/accounts", json::serialize(account_body(*c, "beta", gid, key)));
    auto ungrouped = account_body(*c, "gamma", gid, key);
    ungrouped["group_ids"] = json::array{};
    ungrouped["platform"] = "openai";
    admin.post("/api/v1/admin/accounts", json::serialize(ungrouped));
    CHECK(admin.get("/api/v1/admin/accounts").num("data.total") == 3);
    CHECK(admin.get("/api/v1/admin/accounts?platform=deepseek").num("data.total") == 2);
    CHECK(admin.get("/api/v1/admin/accounts?search=alp").num("data.total") == 1);
    CHECK(admin.get("/api/v1/admin/accounts?group=ungrouped").num("data.total") == 1);
    CHECK(admin.get("/api/v1/admin/accounts?group=" + std::to_string(gid)).num("data.total") == 2);
    admin.post("/api/v1/admin/accounts/" + std::to_string(b.num("data.id")) + "/schedulable",
               R"({"schedulable":false})");
    CHECK(admin.get("/api/v1/admin/accounts?status=unschedulable").num("data.total") == 1);
    auto list = admin.get("/api/v1/admin/accounts");
    const auto etag = list.header("etag");
    REQUIRE_FALSE(etag.empty());
    auto again = call("GET", c->endpoints().host_url + "/api/v1/admin/accounts", {},
                      {{"x-api-key", admin.key}, {"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
}

TEST_CASE("stub host: account test streams test_start/status/content/test_complete from the real upstream") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"ag","platform":"deepseek","rate_multiplier":1})");
    auto a = admin.post(
        "/api/v1/admin/accounts",
        json::serialize(account_body(*c, "a1", g.num("data.id"), c->endpoints().upstream_keys.at("deepseek"))));
    const auto before = c->counters().upstream_calls.at("deepseek");
    auto t = admin.post("/api/v1/admin/accounts/" + std::to_string(a.num("data.id")) + "/test",
                        R"({"model_id":"deepseek-chat"})");
    CHECK(t.status == 200);
    CHECK(t.header("content-type") == "text/event-stream");
    CHECK(t.body.find("event:") == std::string::npos);
    auto events = sse_events(t.body);
    REQUIRE(events.size() >= 4);
    CHECK(events.front().at("type").as_string() == "test_start");
    CHECK(events[1].at("type").as_string() == "status");
    CHECK(events[2].at("type").as_string() == "content");
    CHECK(events.back().at("type").as_string() == "test_complete");
    CHECK(events.back().at("success").as_bool());
    CHECK(c->counters().upstream_calls.at("deepseek") == before + 1);
    auto missing = admin.post("/api/v1/admin/accounts/999/test", "{}");
    CHECK(missing.status == 404);
}

TEST_CASE(
    "stub host: account test with a wrong key reports the upstream 401 and sets status=error; clear-error restores") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"ag","platform":"deepseek","rate_multiplier":1})");
    auto a = admin.post("/api/v1/admin/accounts",
                        json::serialize(account_body(*c, "a1", g.num("data.id"), "sk-wrong-key-0000")));
    const auto path = "/api/v1/admin/accounts/" + std::to_string(a.num("data.id"));
    auto t = admin.post(path + "/test", R"({"model_id":"deepseek-chat"})");
    CHECK(t.status == 200);
    auto events = sse_events(t.body);
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().at("type").as_string() == "error");
    CHECK(std::string(events.back().at("error").as_string()).find("returned 401") != std::string::npos);
    auto got = admin.get(path);
    CHECK(got.str("data.status") == "error");
    CHECK(got.str("data.error_message").starts_with("Authentication failed (401)"));
    CHECK(admin.post(path + "/clear-error", "").str("data.status") == "active");
}

TEST_CASE("stub host: openai-platform account test needs force_chat_completions (no /v1/responses fallback)") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"og","platform":"openai","rate_multiplier":1})");
    json::object body{{"name", "mm"},
                      {"platform", "openai"},
                      {"type", "apikey"},
                      {"credentials", json::object{{"api_key", c->endpoints().upstream_keys.at("minimax")},
                                                   {"base_url", c->endpoints().upstream_urls.at("minimax")}}},
                      {"group_ids", json::array{g.num("data.id")}}};
    auto a = admin.post("/api/v1/admin/accounts", json::serialize(body));
    const auto path = "/api/v1/admin/accounts/" + std::to_string(a.num("data.id"));
    auto t = admin.post(path + "/test", R"({"model_id":"MiniMax-M2.7"})");
    CHECK(sse_events(t.body).back().at("type").as_string() == "error");
    CHECK(t.body.find("/v1/responses") != std::string::npos);
    body["extra"] = json::object{{"openai_responses_mode", "force_chat_completions"}};
    admin.put(path, json::serialize(body));
    auto t2 = admin.post(path + "/test", R"({"model_id":"MiniMax-M2.7"})");
    CHECK(sse_events(t2.body).back().at("type").as_string() == "test_complete");
}

TEST_CASE("stub host: temp-unschedulable GET/DELETE reflect the 403 cooldown state") {
    StubOptions o;
    o.host_profile = "upstream_quota_exhausted";
    auto c = start_cluster(o);
    auto a = provision(*c, WalkOptions{});
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    auto admin = admin_of(*c);
    const auto path = "/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]) + "/temp-unschedulable";
    auto state = admin.get(path);
    CHECK(state.doc.at("data").at("active").as_bool());
    CHECK(state.num("data.state.status_code") == 403);
    CHECK(admin.del(path).status == 200);
    CHECK_FALSE(admin.get(path).doc.at("data").at("active").as_bool());
}
