#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

TEST_CASE("gateway: key auth errors use the {code:STRING,message} shape") {
    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    const auto url = c->endpoints().host_url + "/v1/models";
    auto none = call("GET", url);
    CHECK(none.status == 401);
    CHECK(none.str("code") == "API_KEY_REQUIRED");
    auto bad = call("GET", url, {}, {{"Authorization", "Bearer sk-" + std::string(64, 'a')}});
    CHECK(bad.status == 401);
    CHECK(bad.str("code") == "INVALID_API_KEY");
    CHECK(call("GET", url, {}, {{"x-api-key", a.key}}).status == 200);
    CHECK(call("GET", url, {}, {{"x-goog-api-key", a.key}}).status == 200);
    CHECK(call("GET", c->endpoints().host_url + "/models", {}, {{"Authorization", "Bearer " + a.key}}).status == 200);
    CHECK(call("GET", url + "?key=" + a.key).status == 400);
    // Balance to zero: INSUFFICIENT_BALANCE 403.
    auto admin = admin_of(*c);
    admin.post("/api/v1/admin/users/" + std::to_string(a.user_id) + "/balance",
               R"({"balance":5,"operation":"subtract"})");
    auto broke = chat(*c, a.key, "deepseek-chat");
    CHECK(broke.status == 403);
    CHECK(broke.str("code") == "INSUFFICIENT_BALANCE");
}

TEST_CASE("gateway: revoked subscription gives SUBSCRIPTION_NOT_FOUND") {
    auto c = start_cluster();
    WalkOptions o;
    o.subscription = true;
    auto a = provision(*c, o);
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
    auto admin = admin_of(*c);
    auto subs = admin.get("/api/v1/admin/subscriptions?user_id=" + std::to_string(a.user_id));
    const auto sid = subs.doc.at("data").at("items").as_array()[0].at("id").as_int64();
    admin.post("/api/v1/admin/subscriptions/" + std::to_string(sid) + "/revoke", "");
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 403);
    CHECK(r.str("code") == "SUBSCRIPTION_NOT_FOUND");
}

TEST_CASE("gateway: /v1/models is the union of mapping keys, falls back to Claude defaults without mappings") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    WalkOptions o;
    o.accounts = 2;
    auto a = provision(*c, o);
    auto extra = json::object{
        {"name", "extra"},
        {"platform", "deepseek"},
        {"type", "apikey"},
        {"credentials", json::object{{"api_key", "k"},
                                     {"base_url", c->endpoints().upstream_urls.at("deepseek")},
                                     {"model_mapping", json::object{{"deepseek-reasoner", "deepseek-reasoner"}}}}},
        {"group_ids", json::array{a.group_id}}};
    admin.post("/api/v1/admin/accounts", json::serialize(extra));
    // A foreign-platform account in the group is never scheduled and never listed.
    extra["platform"] = "openai";
    extra["name"] = "foreign";
    extra["credentials"].as_object()["model_mapping"] = json::object{{"gpt-4o", "gpt-4o"}};
    admin.post("/api/v1/admin/accounts", json::serialize(extra));
    auto m = call("GET", c->endpoints().host_url + "/v1/models", {}, {{"Authorization", "Bearer " + a.key}});
    REQUIRE(m.doc.at("data").as_array().size() == 2);
    CHECK(m.body.find("gpt-4o") == std::string::npos);
    CHECK(m.doc.at("data").as_array()[0].at("created_at").as_string() == "2024-01-01T00:00:00Z");
    WalkOptions bare;
    bare.name = "bare";
    auto b = provision(*c, bare);
    admin.put("/api/v1/admin/accounts/" + std::to_string(b.account_ids[0]),
              json::serialize(json::object{
                  {"credentials", json::object{{"base_url", c->endpoints().upstream_urls.at("deepseek")}}}}));
    auto fallback = call("GET", c->endpoints().host_url + "/v1/models", {}, {{"Authorization", "Bearer " + b.key}});
    CHECK(fallback.body.find("claude-") != std::string::npos);
}

TEST_CASE("gateway: unmapped model is 404 model_not_found, empty pool 503 api_error, channel restriction 503") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto a = provision(*c, WalkOptions{});
    auto nf = chat(*c, a.key, "deepseek-reasoner");
    CHECK(nf.status == 404);
    CHECK(nf.str("error.type") == "model_not_found");
    // Channel restriction: the model is mapped by the account but not priced in the channel.
    auto channels = admin.get("/api/v1/admin/channels");
    const auto cid = channels.doc.at("data").at("items").as_array()[0].at("id").as_int64();
    admin.put(
        "/api/v1/admin/channels/" + std::to_string(cid),
        R"({"restrict_models":true,"model_pricing":[{"platform":"deepseek","models":["deepseek-v4-pro"],"input_price":0.000001,"output_price":0.000002}]})");
    auto restricted = chat(*c, a.key, "deepseek-chat");
    CHECK(restricted.status == 503);
    CHECK(restricted.str("error.type") == "api_error");
    admin.put("/api/v1/admin/channels/" + std::to_string(cid), R"({"restrict_models":false})");
    CHECK(chat(*c, a.key, "deepseek-chat").status == 200);
    admin.post("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]) + "/schedulable",
               R"({"schedulable":false})");
    auto empty = chat(*c, a.key, "deepseek-chat");
    CHECK(empty.status == 503);
    CHECK(empty.str("error.type") == "api_error");
    auto bad =
        call("POST", c->endpoints().host_url + "/v1/chat/completions", "{oops", {{"Authorization", "Bearer " + a.key}});
    CHECK(bad.status == 400);
    CHECK(bad.str("error.type") == "invalid_request_error");
}

TEST_CASE("gateway: channel model_mapping renames before account selection") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto a = provision(*c, WalkOptions{});
    auto channels = admin.get("/api/v1/admin/channels");
    const auto cid = channels.doc.at("data").at("items").as_array()[0].at("id").as_int64();
    admin.put("/api/v1/admin/channels/" + std::to_string(cid),
              R"({"model_mapping":{"deepseek":{"ds":"deepseek-chat"}}})");
    auto r = chat(*c, a.key, "ds");
    CHECK(r.status == 200);
    CHECK(r.str("model") == "deepseek-chat");
}

TEST_CASE("gateway: upstream 401 fails over, marks status=error and ends as 502 upstream_error") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    WalkOptions o;
    o.accounts = 2;
    auto a = provision(*c, o);
    for (auto id : a.account_ids)
        admin.put(
            "/api/v1/admin/accounts/" + std::to_string(id),
            json::serialize(json::object{
                {"credentials", json::object{{"api_key", "sk-revoked-000000"},
                                             {"base_url", c->endpoints().upstream_urls.at("deepseek")},
                                             {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}}}));
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.type") == "upstream_error");
    CHECK(r.str("error.message") == "Upstream authentication failed, please contact administrator");
    for (auto id : a.account_ids)
        CHECK(admin.get("/api/v1/admin/accounts/" + std::to_string(id)).str("data.status") == "error");
    auto next = chat(*c, a.key, "deepseek-chat");
    CHECK(next.status == 503);
}

TEST_CASE("gateway: stream relays chunks with usage and [DONE]; usage is recorded with channel pricing") {
    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    auto s = chat(*c, a.key, "deepseek-chat", true);
    REQUIRE(s.status == 200);
    auto events = sse_events(s.body);
    REQUIRE(events.size() >= 3);
    CHECK(events.back().is_string());  // [DONE]
    auto usage = admin_of(*c).get("/api/v1/admin/usage");
    REQUIRE(usage.num("data.total") == 1);
    const auto& item = usage.doc.at("data").at("items").as_array()[0];
    CHECK(item.at("priced").as_bool());
    CHECK(item.at("actual_cost").to_number<double>() > 0);
    CHECK(item.at("stream").as_bool());
}
