#include "engine/import/import_planner.hpp"

#include <catch2/catch.hpp>

using namespace crm;
using namespace crm::engine;

namespace {
Provider provider() {
    Provider p;
    p.pack_id = "cn-core";
    p.pack_version = "1.0.0";
    p.name = "deepseek";
    p.platform = "deepseek";
    p.upstream_base_url = "http://127.0.0.1:9";
    p.models = {"deepseek-chat", "deepseek-reasoner"};
    p.pricing = {{"deepseek-chat", {2e-7, 4e-7}}};
    p.smoke_test_model = "deepseek-chat";
    p.accounts = 2;
    p.credentials = json::object{{"account_mode", "payg"}};
    p.extra = json::object{{"openai_responses_mode", "force_chat_completions"}};
    p.key_env = "DEEPSEEK_API_KEY";
    return p;
}
}  // namespace

TEST_CASE("planner: one group per mode, accounts bound to them, then one restricted channel", "[engine]") {
    auto plan = plan_import(
        provider(), {"cn-core", "deepseek", {AccessMode::self_service, AccessMode::subscription}, "c1"}, "http://h");
    REQUIRE(plan);
    REQUIRE(plan->resources.size() == 5);
    const auto& std_group = plan->resources[0];
    const auto& sub_group = plan->resources[1];
    CHECK(std_group.kind == ResourceKind::group);
    CHECK(std_group.name == "c1-deepseek-std");
    CHECK(std_group.body.at("subscription_type").as_string() == "standard");
    CHECK(std_group.body.at("platform").as_string() == "deepseek");
    CHECK(std_group.body.at("rate_multiplier").as_double() == 1.0);
    CHECK(sub_group.body.at("subscription_type").as_string() == "subscription");
    for (int i : {2, 3}) {
        const auto& a = plan->resources[static_cast<std::size_t>(i)];
        CHECK(a.kind == ResourceKind::account);
        CHECK(a.body.at("platform").as_string() == "deepseek");
        CHECK(a.body.at("group_names").as_array().size() == 2);
        CHECK(a.body.at("extra").at("openai_responses_mode").as_string() == "force_chat_completions");
        // the key source, never a key
        CHECK(a.body.at("credentials").at("api_key").as_string() == "<env DEEPSEEK_API_KEY>");
    }
    const auto& ch = plan->resources[4];
    CHECK(ch.kind == ResourceKind::channel);
    CHECK(ch.body.at("restrict_models").as_bool());
    CHECK(ch.body.at("billing_model_source").as_string() == "channel_mapped");
    CHECK(ch.body.at("model_mapping").at("deepseek").as_object().size() == 2);
    CHECK(ch.body.at("model_pricing").as_array().size() == 2);
    auto j = plan->to_json();
    CHECK(j.at("writes").as_bool() == false);
}

TEST_CASE("planner: every resource name carries the prefix, so parallel cells never collide", "[engine]") {
    auto a = plan_import(provider(), {"cn-core", "deepseek", {AccessMode::self_service}, "cellA"}, "h");
    auto b = plan_import(provider(), {"cn-core", "deepseek", {AccessMode::self_service}, "cellB"}, "h");
    REQUIRE(a);
    REQUIRE(b);
    for (std::size_t i = 0; i < a->resources.size(); ++i) {
        CHECK(a->resources[i].name.rfind("cellA-", 0) == 0);
        CHECK(a->resources[i].name != b->resources[i].name);
    }
}

TEST_CASE("planner: bad requests are one-line invalid_input errors", "[engine]") {
    auto p = provider();
    auto none = plan_import(p, {"cn-core", "deepseek", {}, "x"}, "h");
    REQUIRE_FALSE(none);
    CHECK(none.error().code == util::ErrorCode::invalid_input);
    auto twice =
        plan_import(p, {"cn-core", "deepseek", {AccessMode::subscription, AccessMode::subscription}, "x"}, "h");
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message == "access mode subscription is requested twice");
    auto bad_prefix = plan_import(p, {"cn-core", "deepseek", {AccessMode::self_service}, "a b"}, "h");
    REQUIRE_FALSE(bad_prefix);
    CHECK(bad_prefix.error().message.find("may only hold") != std::string::npos);
    p.accounts = 0;
    auto no_accounts = plan_import(p, {"cn-core", "deepseek", {AccessMode::self_service}, "x"}, "h");
    REQUIRE_FALSE(no_accounts);
    CHECK(no_accounts.error().message == "provider cn-core/deepseek asks for no account");
}

TEST_CASE("planner: an unpriced model is priced at zero rather than left out of the restricted channel", "[engine]") {
    auto pricing = channel_model_pricing(provider());
    REQUIRE(pricing.size() == 2);
    CHECK(pricing[1].at("models").at(0).as_string() == "deepseek-reasoner");
    CHECK(pricing[1].at("input_price").as_double() == 0.0);
}
