#include "engine/packs/upstream_override.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace crm::engine;
using crm::util::ErrorCode;

namespace {

Provider provider(std::string pack, std::string name, std::string key_env) {
    Provider p;
    p.pack_id = std::move(pack);
    p.name = std::move(name);
    p.upstream_base_url = "https://api.deepseek.com";
    p.key_env = std::move(key_env);
    return p;
}

crm::util::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("upstream override: a host's override replaces the pack's base URL and key, registered as a secret") {
    auto p = provider("cn-core", "deepseek", "DEEPSEEK_API_KEY");
    UpstreamOverrides host{{"cn-core/deepseek", {"http://127.0.0.1:4001", "sk-host-a-key"}}};
    CHECK(with_override(p, host).upstream_base_url == "http://127.0.0.1:4001");
    crm::util::SecretRegistry secrets;
    auto key = resolve_upstream_key(p, host, env_of({{"DEEPSEEK_API_KEY", "sk-from-environment"}}), filesystem_reader(),
                                    &secrets);
    REQUIRE(key);
    CHECK(*key == "sk-host-a-key");
    CHECK(secrets.contains_secret("sk-host-a-key"));
}

TEST_CASE("upstream override: two hosts resolve the same provider to their own upstreams") {
    auto p = provider("cn-core", "deepseek", "DEEPSEEK_API_KEY");
    UpstreamOverrides a{{"cn-core/deepseek", {"http://127.0.0.1:4001", "sk-host-a-key"}}};
    UpstreamOverrides b{{"cn-core/deepseek", {"http://127.0.0.1:5001", "sk-host-b-key"}}};
    auto env = env_of({});
    CHECK(with_override(p, a).upstream_base_url == "http://127.0.0.1:4001");
    CHECK(with_override(p, b).upstream_base_url == "http://127.0.0.1:5001");
    CHECK(resolve_upstream_key(p, a, env).value_or("") == "sk-host-a-key");
    CHECK(resolve_upstream_key(p, b, env).value_or("") == "sk-host-b-key");
}

TEST_CASE("upstream override: without one (a real host) the pack's URL and key_source apply") {
    auto p = provider("cn-core", "deepseek", "DEEPSEEK_API_KEY");
    CHECK(with_override(p, {}) == p);
    CHECK(resolve_upstream_key(p, {}, env_of({{"DEEPSEEK_API_KEY", "sk-from-environment"}})).value_or("") ==
          "sk-from-environment");
    auto missing = resolve_upstream_key(p, {}, env_of({}));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::missing_secret);
}

TEST_CASE("upstream override: an override is addressed by pack and provider name") {
    auto mirror = provider("relay-mirror", "deepseek", "RELAY_MIRROR_API_KEY");
    UpstreamOverrides host{{"cn-core/deepseek", {"http://127.0.0.1:4001", "sk-host-a-key"}}};
    CHECK(find_override(host, mirror) == nullptr);
    CHECK(with_override(mirror, host).upstream_base_url == "https://api.deepseek.com");
    CHECK_FALSE(resolve_upstream_key(mirror, host, env_of({})));
}
