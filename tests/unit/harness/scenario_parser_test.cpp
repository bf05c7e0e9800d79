#include "harness/scenario/scenario_parser.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "harness/scenario/json_line_map.hpp"

using namespace crm::harness::scenario;

namespace {

crm::util::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

const char* k_good = R"({
  // a comment
  "name": "demo",
  "host": {"kind": "stub", "profile": "healthy"},
  "matrix": {
    "modes": ["self_service", "subscription"],
    "providers": [
      {"pack": "cn", "provider": "deepseek"},
      {"pack": "cn", "provider": "kimi", "profile": "host_chat_incompatible",
       "expect": "host_compatibility_gap"},
      {"pack": "cn", "provider": "minimax", "expect": {"subscription": "upstream_key_quota_issue"}},
    ],
  },
  "steps": {"stream_smoke": false},
  "timeouts": {"connect_ms": 500, "retries": 0},
  "gate": {"max_evidence_age": "24h", "baseline": "known.json"},
})";

std::string parse_error(const std::string& text, std::map<std::string, std::string> vars = {}) {
    auto r = parse_scenario(text, "s.json", "/base", env_of(std::move(vars)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::invalid_input);
    return r.error().message;
}

}  // namespace

TEST_CASE("scenario: a well-formed stub scenario parses with comments and trailing commas") {
    auto r = parse_scenario(k_good, "s.json", "/base", env_of({}));
    REQUIRE(r.has_value());
    CHECK(r->name == "demo");
    REQUIRE(r->hosts.size() == 1);
    CHECK(r->hosts[0].kind == HostKind::stub);
    CHECK(r->modes == std::vector<Mode>{Mode::self_service, Mode::subscription});
    REQUIRE(r->providers.size() == 3);
    CHECK(r->providers[1].profile == "host_chat_incompatible");
    CHECK(r->providers[1].expect.at(Mode::self_service) == crm::harness::classify::Cause::host_compatibility_gap);
    CHECK(r->providers[1].expect.at(Mode::subscription) == crm::harness::classify::Cause::host_compatibility_gap);
    CHECK(r->providers[2].expect.size() == 1);
    CHECK(r->providers[2].provider_line == 11);
    CHECK_FALSE(r->steps.stream_smoke);
    CHECK(r->steps.rollback);
    CHECK(r->timeouts.connect.count() == 500);
    CHECK(r->timeouts.retries == 0);
    CHECK(r->gate.max_evidence_age->count() == 86400);
    CHECK(r->gate.baseline == "/base/known.json");
    CHECK(r->packs_dir == "/packs");
}

TEST_CASE("scenario: unknown key reports file, line and field") {
    std::string text = "{\n  \"name\": \"x\",\n  \"hots\": {}\n}";
    CHECK(parse_error(text) ==
          "s.json:3: hots: unknown key (expected one of: schema_version, name, label, description, "
          "packs_dir, host, matrix, steps, timeouts, gate, engine)");
}

TEST_CASE("scenario: wrong type in a nested provider names the array element") {
    std::string text = R"({
  "name": "x",
  "host": {"kind": "stub"},
  "matrix": {
    "modes": ["self_service"],
    "providers": [
      {"pack": "cn", "provider": "a"},
      {"pack": "cn",
       "provider": 7}
    ]
  }
})";
    CHECK(parse_error(text) == "s.json:9: matrix.providers[1].provider: must be a string");
}

TEST_CASE("scenario: an unknown expected cause is rejected with its line") {
    std::string text = R"({"name": "x", "host": {"kind": "stub"},
"matrix": {"modes": ["self_service"],
  "providers": [{"pack": "cn", "provider": "a",
     "expect": "quota_gone"}]}})";
    CHECK(parse_error(text) == "s.json:4: matrix.providers[0].expect: unknown cause \"quota_gone\"");
}

TEST_CASE("scenario: an unknown mode is rejected") {
    std::string text = R"({"name": "x", "host": {"kind": "stub"},
"matrix": {"modes": ["self_service", "free"], "providers": [{"pack": "cn", "provider": "a"}]}})";
    CHECK(parse_error(text) == "s.json:2: matrix.modes[1]: must be \"self_service\" or \"subscription\"");
}

TEST_CASE("scenario: a missing environment variable in a real host fails before any network call") {
    std::string text = R"({"name": "x",
  "host": {"kind": "real",
           "url": "${CRM_HOST_URL}",
           "admin_api_key": "${CRM_ADMIN_KEY}"},
  "matrix": {"modes": ["self_service"], "providers": [{"pack": "cn", "provider": "a"}]}})";
    CHECK(parse_error(text, {{"CRM_HOST_URL", "https://relay.example"}}) ==
          "s.json:4: host.admin_api_key: environment variable CRM_ADMIN_KEY is not set");
}

TEST_CASE("scenario: real host fields expand ${VAR} and ${VAR:-default}") {
    std::string text = R"({"name": "x",
  "host": {"kind": "real", "url": "${U:-http://127.0.0.1:1}/", "admin_email": "${E}",
           "admin_password": "${P}", "accept_compliance": true},
  "matrix": {"modes": ["subscription"], "providers": [{"pack": "cn", "provider": "a"}]}})";
    auto r = parse_scenario(text, "s.json", "/b", env_of({{"E", "ops@example.com"}, {"P", "pw-123456"}}));
    REQUIRE(r.has_value());
    CHECK(r->hosts[0].url == "http://127.0.0.1:1");
    CHECK(r->hosts[0].admin_email == "ops@example.com");
    CHECK(r->hosts[0].admin_password == "pw-123456");
    CHECK(r->hosts[0].accept_compliance);
    CHECK(r->hosts[0].admin_password_env == "P");  // named in the printed recover command
}

TEST_CASE("scenario: the admin key's variable is remembered only when the value is exactly one ${VAR}") {
    auto env_name = [](std::string_view key_value) {
        std::string text = fmt::format(R"({{"name": "x",
  "host": {{"kind": "real", "url": "http://127.0.0.1:1", "admin_api_key": "{}"}},
  "matrix": {{"modes": ["subscription"], "providers": [{{"pack": "cn", "provider": "a"}}]}}}})",
                                       key_value);
        auto r = parse_scenario(text, "s.json", "/b", env_of({{"K", "admin-1"}, {"K2", "x"}}));
        REQUIRE(r.has_value());
        return r->hosts[0].admin_api_key_env;
    };
    CHECK(env_name("${K}") == "K");
    CHECK(env_name("${K:-admin-0}") == "K");
    CHECK(env_name("admin-literal") == "");
    CHECK(env_name("admin-${K}") == "");
    CHECK(env_name("${K}${K2}") == "");
}

TEST_CASE("scenario: a stub host may not carry real-host credentials") {
    std::string text = R"({"name": "x", "host": {"kind": "stub",
   "url": "http://x"},
  "matrix": {"modes": ["subscription"], "providers": [{"pack": "cn", "provider": "a"}]}})";
    CHECK(parse_error(text) == "s.json:2: host.url: only allowed for kind \"real\"");
}

TEST_CASE("scenario: duplicate providers are rejected because cell folders would collide") {
    std::string text = R"({"name": "x", "host": {"kind": "stub"},
  "matrix": {"modes": ["subscription"], "providers": [
     {"pack": "cn", "provider": "a"},
     {"pack": "other", "provider": "a"}]}})";
    CHECK(parse_error(text) ==
          "s.json:4: matrix.providers[1].provider: duplicate provider \"a\" (cell folders are <mode>__<provider>)");
}

TEST_CASE("scenario: syntax errors keep the one-line file:line shape") {
    auto msg = parse_error("{\n  \"name\": \"x\",\n  \"host\": {\"kind\" \"stub\"}\n}");
    CHECK(msg.rfind("s.json:3: (document): ", 0) == 0);
}

TEST_CASE("scenario: a bad evidence age names the field") {
    std::string text = R"({"name": "x", "host": {"kind": "stub"},
  "matrix": {"modes": ["subscription"], "providers": [{"pack": "cn", "provider": "a"}]},
  "gate": {"max_evidence_age": "soon"}})";
    CHECK(parse_error(text) == "s.json:3: gate.max_evidence_age: bad duration \"soon\" (use e.g. 24h, 30m, 7d, 90s)");
}

TEST_CASE("scenario: missing matrix is required") {
    CHECK(parse_error("{\"name\": \"x\", \"host\": {\"kind\": \"stub\"}}") == "s.json:1: matrix: is required");
}

TEST_CASE("scenario: check_references rejects an unknown provider with its line") {
    auto r = parse_scenario(k_good, "s.json", "/base", env_of({}));
    REQUIRE(r.has_value());
    ReferenceCheck check;
    check.has_provider = [](std::string_view pack, std::string_view provider) {
        return pack == "cn" && (provider.empty() || provider != "minimax");
    };
    auto c = check_references(*r, check);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().message == "s.json:11: matrix.providers[2].provider: unknown provider \"minimax\" in pack \"cn\"");
}

TEST_CASE("scenario: check_references rejects an unknown fault profile") {
    auto r = parse_scenario(k_good, "s.json", "/base", env_of({}));
    REQUIRE(r.has_value());
    ReferenceCheck check;
    check.has_profile = [](std::string_view p) { return p == "healthy"; };
    auto c = check_references(*r, check);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().message ==
          "s.json:9: matrix.providers[1].profile: unknown fault profile \"host_chat_incompatible\"");
}

TEST_CASE("scenario: json line map follows keys, elements and comments") {
    auto m = JsonLineMap::build("{\n /* c\n c */ \"a\": [\n 1,\n {\"b\": 2}\n ]\n}");
    CHECK(m.line_of("a") == 3);
    CHECK(m.line_of("a[0]") == 4);
    CHECK(m.line_of("a[1].b") == 5);
    CHECK(m.line_of("a[1].zz") == 5);
    CHECK(m.line_of("") == 1);
}

TEST_CASE("scenario: a host URL carrying credentials is refused without echoing them") {
    std::string text = R"({"name": "x",
  "host": {"kind": "real", "url": "${U}", "admin_api_key": "admin-1"},
  "matrix": {"modes": ["self_service"], "providers": [{"pack": "cn", "provider": "a"}]}})";
    auto err = parse_error(text, {{"U", "https://ops:s3cret-pass@relay.example/"}});
    CHECK(err ==
          "s.json:2: host.url: must not carry credentials (user:password@host); use admin_api_key, "
          "or admin_email and admin_password");
    CHECK(err.find("s3cret") == std::string::npos);
    // An '@' after the authority (a path or query) is no userinfo.
    auto ok = parse_scenario(text, "s.json", "/b", env_of({{"U", "https://relay.example/a@b?x=@"}}));
    CHECK(ok.has_value());
}
