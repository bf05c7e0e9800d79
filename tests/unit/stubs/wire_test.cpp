#include "stubs/host/wire.hpp"

#include <catch2/catch.hpp>

using namespace crm::stubs;
namespace json = crm::util::json;

TEST_CASE("stub wire: envelope is {code:0,message:success,data}") {
    auto doc = json::parse(wire::envelope(json::object{{"x", 1}}));
    CHECK(doc.at("code").as_int64() == 0);
    CHECK(doc.at("message").as_string() == "success");
    CHECK(doc.at("data").at("x").as_int64() == 1);
}

TEST_CASE("stub wire: handler errors carry an int code, middleware errors a string code") {
    json::object meta{{"conflict_reason", "validity_days_mismatch"}};
    auto h = json::parse(wire::handler_error(409, "conflict", "SUBSCRIPTION_ASSIGN_CONFLICT", &meta));
    CHECK(h.at("code").as_int64() == 409);
    CHECK(h.at("reason").as_string() == "SUBSCRIPTION_ASSIGN_CONFLICT");
    CHECK(h.at("metadata").at("conflict_reason").as_string() == "validity_days_mismatch");
    auto plain = json::parse(wire::handler_error(500, "internal error"));
    CHECK_FALSE(plain.as_object().contains("reason"));
    auto m = json::parse(wire::middleware_error("INVALID_API_KEY", "Invalid API key"));
    CHECK(m.at("code").as_string() == "INVALID_API_KEY");
    auto o = json::parse(wire::openai_error("api_error", "Service temporarily unavailable"));
    CHECK(o.at("error").at("type").as_string() == "api_error");
}

TEST_CASE("stub wire: pagination defaults, limit alias, cap at 1000 and page math") {
    CHECK(wire::parse_page({}) == wire::PageQuery{1, 20});
    CHECK(wire::parse_page({{"limit", "5"}}) == wire::PageQuery{1, 5});
    CHECK(wire::parse_page({{"page_size", "5000"}, {"page", "3"}}) == wire::PageQuery{3, 1000});
    CHECK(wire::parse_page({{"page", "x"}, {"page_size", "-4"}}) == wire::PageQuery{1, 20});
    std::vector<json::value> all;
    for (int i = 0; i < 45; ++i) all.emplace_back(i);
    auto p = wire::paginate(all, {3, 20});
    CHECK(p.at("total").as_int64() == 45);
    CHECK(p.at("pages").as_int64() == 3);
    CHECK(p.at("page").as_int64() == 3);
    CHECK(p.at("page_size").as_int64() == 20);
    REQUIRE(p.at("items").as_array().size() == 5);
    CHECK(p.at("items").as_array()[0].as_int64() == 40);
    CHECK(wire::paginate({}, {}).at("pages").as_int64() == 1);
}

TEST_CASE("stub wire: page_window slices like paginate, page_of wraps one page in the same envelope") {
    CHECK(wire::page_window(45, {3, 20}).begin == 40);
    CHECK(wire::page_window(45, {3, 20}).end == 45);
    CHECK(wire::page_window(45, {1, 20}).end == 20);
    const auto past = wire::page_window(45, {9, 20});
    CHECK(past.begin == past.end);
    std::vector<json::value> all;
    for (int i = 0; i < 45; ++i) all.emplace_back(i);
    json::array page{40, 41, 42, 43, 44};
    CHECK(json::serialize(wire::page_of(page, 45, {3, 20})) == json::serialize(wire::paginate(all, {3, 20})));
    CHECK(json::serialize(wire::page_of({}, 0, {})) == json::serialize(wire::paginate({}, {})));
}

TEST_CASE("stub wire: JWT round-trips, rejects tampering and expiry") {
    json::object claims{{"user_id", 7}, {"role", "user"}, {"exp", 2000}};
    const auto token = wire::make_jwt(claims, "secret");
    CHECK(std::count(token.begin(), token.end(), '.') == 2);
    json::object out;
    CHECK(wire::verify_jwt(token, "secret", 1000, &out) == wire::JwtCheck::ok);
    CHECK(out.at("user_id").as_int64() == 7);
    CHECK(wire::verify_jwt(token, "other", 1000, nullptr) == wire::JwtCheck::bad_signature);
    CHECK(wire::verify_jwt(token, "secret", 2000, nullptr) == wire::JwtCheck::expired);
    CHECK(wire::verify_jwt("abc", "secret", 1000, nullptr) == wire::JwtCheck::malformed);
    CHECK(wire::base64url_decode(wire::base64url("hello world!?")) == std::optional<std::string>("hello world!?"));
}

TEST_CASE("stub wire: admin keys are admin-<64 hex>, user keys sk-<64 hex>") {
    const auto a = wire::make_admin_key();
    const auto u = wire::make_user_key();
    CHECK(a.size() == 70);
    CHECK(wire::is_admin_key_shape(a));
    CHECK(u.size() == 67);
    CHECK(wire::is_user_key_shape(u));
    CHECK_FALSE(wire::is_user_key_shape(a));
    CHECK_FALSE(wire::is_admin_key_shape("admin-XYZ"));
    CHECK(a != wire::make_admin_key());
    CHECK(wire::mask_key(a).find(a.substr(20, 20)) == std::string::npos);
}

TEST_CASE("stub wire: model_mapping is a whitelist and rename table with longest-prefix wildcards") {
    json::value mapping = json::object{{"deepseek-chat", "deepseek-v4-flash"}, {"gpt-*", "gpt-4o"}, {"gpt-5*", "x-5*"}};
    CHECK(wire::map_model(&mapping, "deepseek-chat") == std::optional<std::string>("deepseek-v4-flash"));
    CHECK(wire::map_model(&mapping, "gpt-4.1") == std::optional<std::string>("gpt-4o"));
    CHECK(wire::map_model(&mapping, "gpt-5.4") == std::optional<std::string>("x-5.4"));
    CHECK_FALSE(wire::map_model(&mapping, "claude-3").has_value());
    json::value empty = json::object{};
    CHECK(wire::map_model(&empty, "anything") == std::optional<std::string>("anything"));
    CHECK(wire::map_model(nullptr, "anything") == std::optional<std::string>("anything"));
}

TEST_CASE("stub wire: chat URL appends /v1/chat/completions without doubling /v1") {
    CHECK(wire::chat_url("https://api.deepseek.com") == "https://api.deepseek.com/v1/chat/completions");
    CHECK(wire::chat_url("https://api.minimaxi.com/v1") == "https://api.minimaxi.com/v1/chat/completions");
    CHECK(wire::chat_url("https://api.minimaxi.com/v1/") == "https://api.minimaxi.com/v1/chat/completions");
    CHECK(wire::rfc3339(0) == "1970-01-01T00:00:00Z");
}
