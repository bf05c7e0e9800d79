// The admin token: its length rule, the Bearer header, the comparison that does not exit early.
#include <catch2/catch.hpp>

#include "harness/serve/bearer_auth.hpp"

using namespace crm::harness::serve;

namespace {
const std::string k_token = "0123456789abcdefghij-token";
}

TEST_CASE("serve auth: constant_time_equal is plain equality on contents of any length", "[serve][auth]") {
    CHECK(constant_time_equal("", ""));
    CHECK(constant_time_equal(k_token, k_token));
    CHECK_FALSE(constant_time_equal(k_token, k_token + "x"));
    CHECK_FALSE(constant_time_equal(k_token, k_token.substr(0, 5)));
    CHECK_FALSE(constant_time_equal("a", "b"));
    CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("serve auth: the token comes from SUB2API_CRM_ADMIN_TOKEN and must be 20 characters", "[serve][auth]") {
    crm::util::SecretRegistry secrets;
    auto missing = AdminToken::from_env([](std::string_view) { return std::nullopt; }, secrets);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("SUB2API_CRM_ADMIN_TOKEN is not set") != std::string::npos);
    auto short_one = AdminToken::from_env(
        [](std::string_view name) -> std::optional<std::string> {
            if (name == "SUB2API_CRM_ADMIN_TOKEN") return "nineteen-characters";  // 19
            return std::nullopt;
        },
        secrets);
    REQUIRE_FALSE(short_one);
    CHECK(short_one.error().message.find("at least 20") != std::string::npos);
    CHECK(short_one.error().message.find("nineteen") == std::string::npos);
    auto ok = AdminToken::from_env(
        [](std::string_view) -> std::optional<std::string> { return "twenty-characters-ok"; }, secrets);
    REQUIRE(ok);
    CHECK(secrets.scrub("x twenty-characters-ok y").find("twenty-characters-ok") == std::string::npos);
}

TEST_CASE("serve auth: only 'Bearer <token>' is accepted", "[serve][auth]") {
    crm::util::SecretRegistry secrets;
    auto token = AdminToken::from_value(k_token, secrets);
    REQUIRE(token);
    CHECK(token->accepts("Bearer " + k_token));
    CHECK(token->accepts("bearer  " + k_token));
    CHECK_FALSE(token->accepts(std::nullopt));
    CHECK_FALSE(token->accepts(k_token));
    CHECK_FALSE(token->accepts("Basic " + k_token));
    CHECK_FALSE(token->accepts("Bearer"));
    CHECK_FALSE(token->accepts("Bearer "));
    CHECK_FALSE(token->accepts("Bearer " + k_token + "x"));
    CHECK_FALSE(token->accepts("Bearer " + k_token.substr(1)));
    CHECK_FALSE(token->accepts("Bearer" + k_token));
}
