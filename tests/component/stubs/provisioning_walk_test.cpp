#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

TEST_CASE("stub host: self_service walk ends in models + chat non-stream and stream through the gateway") {
    auto c = start_cluster();
    auto a = provision(*c, WalkOptions{});
    REQUIRE(crm::stubs::test::Reply{}.status == 0);
    CHECK(a.key.starts_with("sk-"));
    CHECK(a.key.size() == 67);
    auto models = call("GET", c->endpoints().host_url + "/v1/models", {}, {{"Authorization", "Bearer " + a.key}});
    REQUIRE(models.status == 200);
    CHECK(models.str("object") == "list");
    REQUIRE(models.doc.at("data").as_array().size() == 1);
    CHECK(models.doc.at("data").as_array()[0].at("id").as_string() == "deepseek-chat");
    CHECK(models.doc.at("data").as_array()[0].at("type").as_string() == "model");
    auto r = chat(*c, a.key, "deepseek-chat");
    REQUIRE(r.status == 200);
    CHECK(r.str("object") == "chat.completion");
    CHECK(r.num("usage.prompt_tokens") > 0);
    auto s = chat(*c, a.key, "deepseek-chat", true);
    REQUIRE(s.status == 200);
    CHECK(s.header("content-type") == "text/event-stream");
    CHECK(s.body.find("data: [DONE]") != std::string::npos);
    auto user = admin_of(*c).get("/api/v1/admin/users/" + std::to_string(a.user_id));
    CHECK(user.real("data.balance") < 5.0);
    auto usage = admin_of(*c).get("/api/v1/admin/usage?user_id=" + std::to_string(a.user_id));
    CHECK(usage.num("data.total") == 2);
}

TEST_CASE("stub host: subscription walk bills the subscription, not the balance") {
    auto c = start_cluster();
    WalkOptions o;
    o.subscription = true;
    o.upstream = "minimax";
    o.platform = "openai";
    o.model = "MiniMax-M2.7";
    auto a = provision(*c, o);
    auto r = chat(*c, a.key, "MiniMax-M2.7");
    REQUIRE(r.status == 200);
    CHECK(r.num("base_resp.status_code") == 0);
    auto s = chat(*c, a.key, "MiniMax-M2.7", true);
    REQUIRE(s.status == 200);
    CHECK(s.body.find("[DONE]") != std::string::npos);
    auto subs = admin_of(*c).get("/api/v1/admin/subscriptions?user_id=" + std::to_string(a.user_id));
    REQUIRE(subs.num("data.total") == 1);
    CHECK(subs.doc.at("data").at("items").as_array()[0].at("daily_usage_usd").to_number<double>() > 0);
    auto user = admin_of(*c).get("/api/v1/admin/users/" + std::to_string(a.user_id));
    CHECK(user.real("data.balance") == 0.0);
}
