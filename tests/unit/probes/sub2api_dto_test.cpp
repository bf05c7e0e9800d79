#include <catch2/catch.hpp>

#include "probes/sub2api/dto_json.hpp"

using namespace crm::probes::sub2api;
using crm::util::ErrorCode;
namespace json = boost::json;

TEST_CASE("dto: an account read-back maps penalty fields and keeps the raw object") {
    auto v = json::parse(R"({
      "id": 17, "name": "ds-1", "platform": "deepseek", "type": "apikey", "status": "active",
      "schedulable": true, "group_ids": [3, 4],
      "temp_unschedulable_until": "2026-11-23T10:00:00Z",
      "temp_unschedulable_reason": "cn_balance_low: Insufficient Balance",
      "error_message": "", "credentials": {"base_url": "https://api.deepseek.com"},
      "credentials_status": {"has_api_key": true}, "extra": {"deepseek_balance_low": true},
      "current_concurrency": 0})");
    auto a = account_from_json(v, "GET /api/v1/admin/accounts/17");
    REQUIRE(a);
    CHECK(a->id == 17);
    CHECK(a->schedulable);
    CHECK(a->group_ids == std::vector<std::int64_t>{3, 4});
    CHECK(a->temp_unschedulable_until == "2026-11-23T10:00:00Z");
    CHECK(a->temp_unschedulable_reason.starts_with("cn_balance_low"));
    CHECK(a->has_api_key);
    CHECK(a->extra.at("deepseek_balance_low") == true);
    CHECK(a->raw.at("current_concurrency") == 0);
}

TEST_CASE("dto: a null temp_unschedulable_until stays empty") {
    auto a = account_from_json(json::parse(R"({"id":1,"temp_unschedulable_until":null})"), "x");
    REQUIRE(a);
    CHECK_FALSE(a->temp_unschedulable_until);
}

TEST_CASE("dto: a DTO without a numeric id is a protocol error naming the call") {
    auto g = group_from_json(json::parse(R"({"name":"g"})"), "GET /api/v1/admin/groups/1");
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::protocol);
    CHECK(g.error().message == "GET /api/v1/admin/groups/1: group has no numeric id");
    auto u = user_from_json(json::parse("[1]"), "GET /api/v1/admin/users/1");
    REQUIRE_FALSE(u);
    CHECK(u.error().message == "GET /api/v1/admin/users/1: user is not a JSON object");
}

TEST_CASE("dto: channel pricing round-trips through value_from and back") {
    ChannelPricing p;
    p.platform = "openai";
    p.models = {"MiniMax-M2.7"};
    p.input_price = 3e-7;
    p.output_price = 1.2e-6;
    auto back = channel_pricing_from_json(json::value_from(p), "x");
    REQUIRE(back);
    CHECK(*back == p);
}

TEST_CASE("dto: a channel create body has the documented fields") {
    ChannelCreate c;
    c.name = "ch";
    c.group_ids = {5};
    ChannelPricing p;
    p.platform = "deepseek";
    p.models = {"deepseek-chat"};
    c.model_pricing = {p};
    auto body = json::value_from(c);
    CHECK(body.at("billing_model_source") == "channel_mapped");
    CHECK(body.at("restrict_models") == true);
    CHECK(body.at("group_ids").as_array().size() == 1);
    CHECK(body.at("model_pricing").at(0).at("billing_mode") == "token");
    auto parsed = channel_from_json(json::object{{"id", 2},
                                                 {"name", "ch"},
                                                 {"model_pricing", body.at("model_pricing")},
                                                 {"restrict_models", true},
                                                 {"group_ids", json::array{5}}},
                                    "x");
    REQUIRE(parsed);
    CHECK(parsed->model_pricing.at(0) == p);
    CHECK(parsed->group_ids == std::vector<std::int64_t>{5});
}

TEST_CASE("dto: create bodies omit unset optionals") {
    GroupCreate g;
    g.name = "g";
    g.platform = "deepseek";
    auto gb = json::value_from(g).as_object();
    CHECK_FALSE(gb.contains("daily_limit_usd"));
    CHECK(gb.at("rate_multiplier") == 1.0);
    CHECK(gb.at("subscription_type") == "standard");
    UserCreate u;
    u.email = "u@x";
    u.password = "pw-123456";
    auto ub = json::value_from(u).as_object();
    CHECK_FALSE(ub.contains("balance"));
    u.balance = 5.0;
    CHECK(json::value_from(u).at("balance") == 5.0);
}

TEST_CASE("dto: subscription and api key read-backs map their ids") {
    auto s = subscription_from_json(
        json::parse(R"({"id":3,"user_id":4,"group_id":5,"status":"active","expires_at":"2026-12-23T00:00:00Z"})"), "x");
    REQUIRE(s);
    CHECK(s->user_id == 4);
    CHECK(s->group_id == 5);
    auto k =
        api_key_from_json(json::parse(R"({"id":9,"user_id":4,"key":"sk-abc","group_id":null,"status":"active"})"), "x");
    REQUIRE(k);
    CHECK_FALSE(k->group_id);
    CHECK(k->key == "sk-abc");
}
