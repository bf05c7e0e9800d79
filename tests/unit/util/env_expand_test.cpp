#include "util/env_expand.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace crm::util;

namespace {
EnvLookup fake_env(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
}  // namespace

TEST_CASE("env_expand: set variables and defaults expand", "[util]") {
    auto env = fake_env({{"HOST", "http://h:1"}});
    CHECK(expand_env("${HOST}/x", env, "f:1") == std::string("http://h:1/x"));
    CHECK(expand_env("${PORT:-8080}", env, "f:1") == std::string("8080"));
    CHECK(expand_env("plain", env, "f:1") == std::string("plain"));
}

TEST_CASE("env_expand: a missing variable names the variable and the place", "[util]") {
    auto r = expand_env("${NOPE}", fake_env({}), "scenarios/x.json:3: host.url");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_input);
    CHECK(r.error().message == "scenarios/x.json:3: host.url: environment variable NOPE is not set");
}

TEST_CASE("env_expand: an unterminated reference is rejected", "[util]") {
    CHECK_FALSE(expand_env("${OOPS", fake_env({}), "f:1"));
}
