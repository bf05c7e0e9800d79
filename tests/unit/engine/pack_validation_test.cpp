#include <catch2/catch.hpp>
#include <map>

#include "engine/packs/pack.hpp"

using crm::engine::parse_pack;
using crm::util::ErrorCode;

namespace {

crm::util::EnvLookup env_of(std::map<std::string, std::string> vars = {}) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// A valid two-provider pack; each test breaks one thing with a textual replacement so the
// expected message pins file, JSON path and reason exactly.
const std::string k_good = R"({
  // relaxed JSON: comments and trailing commas are fine
  "schema_version": 1,
  "id": "test-pack",
  "version": "1.2.3",
  "providers": [
    {
      "name": "deepseek",
      "platform": "deepseek",
      "upstream_base_url": "${DS_URL:-https://api.deepseek.com}",
      "models": ["deepseek-chat", "deepseek-reasoner"],
      "pricing": {
        "deepseek-chat": {"input": 2.8e-7, "output": 4.2e-7},
        "deepseek-reasoner": {"input": 2.8e-7, "output": 4.2e-7},
      },
      "smoke_test_model": "deepseek-chat",
      "credentials": {"account_mode": "payg", "api_protocol": "chat_completions"},
      "key_source": {"env": "DEEPSEEK_API_KEY"}
    },
    {
      "name": "minimax",
      "platform": "openai",
      "upstream_base_url": "https://api.minimaxi.com/v1",
      "models": ["MiniMax-M2.7"],
      "model_mapping": {"MiniMax-M2.7": "MiniMax-M2.7"},
      "pricing": {"MiniMax-M2.7": {"input": 3e-7, "output": 1.2e-6}},
      "smoke_test_model": "MiniMax-M2.7",
      "accounts": 2,
      "extra": {"openai_responses_mode": "force_chat_completions"},
      "key_source": {"file": "/run/keys/minimax"}
    }
  ]
})";

std::string with(std::string_view from, std::string_view to) {
    std::string text = k_good;
    auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    return text;
}

std::string error_for(const std::string& text, crm::util::EnvLookup env = env_of()) {
    auto pack = parse_pack(text, "packs/x.json", env);
    REQUIRE_FALSE(pack);
    CHECK(pack.error().code == ErrorCode::invalid_input);
    CHECK(pack.error().message.find('\n') == std::string::npos);
    return pack.error().message;
}

}  // namespace

TEST_CASE("pack: the reference pack parses with defaults applied and ${VAR:-default} expanded") {
    auto pack = parse_pack(k_good, "packs/x.json", env_of());
    REQUIRE(pack);
    CHECK(pack->id == "test-pack");
    CHECK(pack->version == "1.2.3");
    CHECK(pack->sha256.size() == 64);
    REQUIRE(pack->providers.size() == 2);
    const auto& ds = pack->providers[0];
    CHECK(ds.qualified_name() == "test-pack/deepseek");
    CHECK(ds.upstream_base_url == "https://api.deepseek.com");
    CHECK(ds.upstream_base_url_template == "${DS_URL:-https://api.deepseek.com}");
    CHECK(ds.accounts == 1);
    CHECK(ds.account_type == "apikey");
    CHECK(ds.key_env == "DEEPSEEK_API_KEY");
    CHECK(ds.pricing.at("deepseek-chat").input == Approx(2.8e-7));
    const auto& mm = pack->providers[1];
    CHECK(mm.accounts == 2);
    CHECK(mm.key_file == "/run/keys/minimax");
    CHECK(mm.extra.at("openai_responses_mode") == "force_chat_completions");
}

TEST_CASE("pack: the base URL follows the injected environment, never the process one") {
    auto pack = parse_pack(k_good, "packs/x.json", env_of({{"DS_URL", "http://127.0.0.1:4321"}}));
    REQUIRE(pack);
    CHECK(pack->providers[0].upstream_base_url == "http://127.0.0.1:4321");
}

TEST_CASE("pack: account credentials carry key, base URL, full model mapping and extras") {
    auto pack = parse_pack(k_good, "packs/x.json", env_of());
    REQUIRE(pack);
    auto creds = pack->providers[0].account_credentials("sk-test");
    CHECK(creds.at("api_key") == "sk-test");
    CHECK(creds.at("base_url") == "https://api.deepseek.com");
    CHECK(creds.at("account_mode") == "payg");
    CHECK(creds.at("model_mapping").as_object().size() == 2);
    CHECK(creds.at("model_mapping").at("deepseek-reasoner") == "deepseek-reasoner");
}

TEST_CASE("pack: to_json names the key source but holds no key") {
    auto pack = parse_pack(k_good, "packs/x.json", env_of());
    REQUIRE(pack);
    auto j = pack->providers[0].to_json();
    CHECK(j.at("key_source").at("env") == "DEEPSEEK_API_KEY");
    CHECK(j.at("qualified_name") == "test-pack/deepseek");
    CHECK(boost::json::serialize(j).find("api_key") == std::string::npos);
}

TEST_CASE("pack: smoke_test_model outside models is rejected with file, path and reason") {
    CHECK(error_for(with(R"("smoke_test_model": "MiniMax-M2.7")", R"("smoke_test_model": "MiniMax-M3")")) ==
          "packs/x.json: providers[1].smoke_test_model: not in models");
}

TEST_CASE("pack: an unknown key is rejected") {
    CHECK(error_for(with(R"("accounts": 2,)", R"("acounts": 2,)")) ==
          "packs/x.json: providers[1].acounts: unknown key");
    CHECK(error_for(with(R"("version": "1.2.3",)", R"("version": "1.2.3", "owner": "ops",)")) ==
          "packs/x.json: owner: unknown key");
}

TEST_CASE("pack: an inline api_key is rejected even with a key_source") {
    CHECK(error_for(with(R"("accounts": 2,)", R"("accounts": 2, "api_key": "abc123",)")) ==
          "packs/x.json: providers[1].api_key: inline secret not allowed; use key_source "
          "{\"env\": NAME} or {\"file\": PATH}");
}

TEST_CASE("pack: a secret-shaped value anywhere is rejected") {
    CHECK(error_for(with(R"("/run/keys/minimax")", R"("sk-0123456789abcdef0123456789abcdef")")) ==
          "packs/x.json: providers[1].key_source.file: inline secret not allowed; use key_source "
          "{\"env\": NAME} or {\"file\": PATH}");
    CHECK(error_for(with(R"("account_mode": "payg")", R"("key": "x-1")")) ==
          "packs/x.json: providers[0].credentials.key: inline secret not allowed; use key_source "
          "{\"env\": NAME} or {\"file\": PATH}");
}

TEST_CASE("pack: duplicate provider names within one pack are rejected") {
    CHECK(error_for(with(R"("name": "minimax")", R"("name": "deepseek")")) ==
          "packs/x.json: providers[1].name: duplicate provider name \"deepseek\" in pack test-pack");
}

TEST_CASE("pack: an unknown host platform is rejected with the known list") {
    auto msg = error_for(with(R"("platform": "openai")", R"("platform": "minimaxx")"));
    CHECK(msg.starts_with(
        "packs/x.json: providers[1].platform: unknown platform \"minimaxx\" (known: anthropic, openai,"));
}

TEST_CASE("pack: a model without a price is rejected (restrict_models would hide it)") {
    CHECK(error_for(with(R"("deepseek-reasoner": {"input": 2.8e-7, "output": 4.2e-7},)", "")) ==
          "packs/x.json: providers[0].pricing: missing price for model \"deepseek-reasoner\"");
}

TEST_CASE("pack: a per-million price typed as per-token is rejected") {
    CHECK(error_for(with(R"({"input": 3e-7, "output": 1.2e-6})", R"({"input": 0.3, "output": 1.2e-6})")) ==
          "packs/x.json: providers[1].pricing[\"MiniMax-M2.7\"].input: 0.3 USD per token is "
          "implausible (prices are USD per token, not per million tokens)");
}

TEST_CASE("pack: a price for a model outside models is rejected") {
    CHECK(error_for(with(R"("pricing": {"MiniMax-M2.7")", R"("pricing": {"MiniMax-M9")")) ==
          "packs/x.json: providers[1].pricing[\"MiniMax-M9\"]: not in models");
}

TEST_CASE("pack: a model_mapping entry for an unlisted model is rejected") {
    CHECK(error_for(with(R"("model_mapping": {"MiniMax-M2.7")", R"("model_mapping": {"gpt-4o")")) ==
          "packs/x.json: providers[1].model_mapping[\"gpt-4o\"]: not in models");
}

TEST_CASE("pack: a missing key_source is rejected") {
    CHECK(error_for(with(R"(,
      "key_source": {"env": "DEEPSEEK_API_KEY"})",
                         "")) ==
          "packs/x.json: providers[0].key_source: missing (the key comes from {\"env\": NAME} or "
          "{\"file\": PATH})");
}

TEST_CASE("pack: key_source with both env and file is rejected") {
    CHECK(error_for(with(R"({"env": "DEEPSEEK_API_KEY"})", R"({"env": "DEEPSEEK_API_KEY", "file": "/k"})")) ==
          "packs/x.json: providers[0].key_source: exactly one of env or file is required");
}

TEST_CASE("pack: key_source.env must be an environment variable name") {
    CHECK(error_for(with(R"({"env": "DEEPSEEK_API_KEY"})", R"({"env": "deepseek key"})")) ==
          "packs/x.json: providers[0].key_source.env: must be an environment variable name "
          "([A-Z_][A-Z0-9_]*)");
}

TEST_CASE("pack: an unset ${VAR} without default names the variable and the field") {
    CHECK(error_for(with("${DS_URL:-https://api.deepseek.com}", "${DS_URL}")) ==
          "packs/x.json: providers[0].upstream_base_url: environment variable DS_URL is not set");
}

TEST_CASE("pack: a base URL that is not http(s) is rejected") {
    CHECK(error_for(with("https://api.minimaxi.com/v1", "api.minimaxi.com/v1")) ==
          "packs/x.json: providers[1].upstream_base_url: \"api.minimaxi.com/v1\" must start with "
          "http:// or https://");
}

TEST_CASE("pack: unsupported schema_version is rejected") {
    CHECK(error_for(with(R"("schema_version": 1)", R"("schema_version": 2)")) ==
          "packs/x.json: schema_version: unsupported schema_version 2 (supported: 1)");
}

TEST_CASE("pack: accounts must be 1..20") {
    CHECK(error_for(with(R"("accounts": 2)", R"("accounts": 0)")) ==
          "packs/x.json: providers[1].accounts: must be an integer from 1 to 20");
}

TEST_CASE("pack: credentials may not set base_url and enums are checked") {
    CHECK(error_for(with(R"("account_mode": "payg")", R"("base_url": "https://x")")) ==
          "packs/x.json: providers[0].credentials.base_url: derived from upstream_base_url / "
          "model_mapping; do not set it in credentials");
    CHECK(error_for(with(R"("account_mode": "payg")", R"("account_mode": "prepaid")")) ==
          "packs/x.json: providers[0].credentials.account_mode: must be one of payg, coding");
}

TEST_CASE("pack: openai_responses_mode applies only to openai accounts") {
    CHECK(error_for(with(R"("platform": "openai")", R"("platform": "deepseek")")) ==
          "packs/x.json: providers[1].extra.openai_responses_mode: only applies to platform openai");
    CHECK(error_for(with("force_chat_completions", "chat")) ==
          "packs/x.json: providers[1].extra.openai_responses_mode: must be one of auto, "
          "force_chat_completions, force_responses");
}

TEST_CASE("pack: account_type other than apikey is rejected") {
    CHECK(error_for(with(R"("platform": "deepseek",)", R"("platform": "deepseek", "account_type": "oauth",)")) ==
          "packs/x.json: providers[0].account_type: only \"apikey\" is supported");
}

TEST_CASE("pack: duplicate models and empty providers are rejected") {
    CHECK(error_for(with(R"(["deepseek-chat", "deepseek-reasoner"])", R"(["deepseek-chat", "deepseek-chat"])")) ==
          "packs/x.json: providers[0].models[1]: duplicate model \"deepseek-chat\"");
    CHECK(error_for(R"({"schema_version": 1, "id": "p", "version": "1", "providers": []})") ==
          "packs/x.json: providers: must be a non-empty array");
}

TEST_CASE("pack: malformed JSON names the file with line and column") {
    auto pack = parse_pack("{\n  \"schema_version\": 1,\n  oops\n}", "packs/x.json", env_of());
    REQUIRE_FALSE(pack);
    CHECK(pack.error().code == ErrorCode::invalid_input);
    CHECK(pack.error().message.starts_with("packs/x.json:3:"));
}
