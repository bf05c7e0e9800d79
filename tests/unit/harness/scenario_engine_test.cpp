// The scenario's "engine" block: how a run drives the engine's writes (in process, or through a
// control plane's HTTP API).
#include <catch2/catch.hpp>
#include <string>

#include "harness/scenario/scenario_parser.hpp"

using namespace crm::harness::scenario;

namespace {

crm::util::EnvLookup no_env() {
    return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

std::string with_engine(const std::string& engine, const std::string& host = R"({"kind": "stub"})") {
    return R"({
  "name": "demo",
  "host": )" +
           host + R"(,
  "matrix": {"modes": ["self_service"], "providers": [{"pack": "cn", "provider": "kimi"}]},
  "engine": )" +
           engine + "\n}";
}

const std::string k_real_host =
    R"({"kind": "real", "url": "http://10.0.0.9:8080", "admin_api_key": "admin-0123456789abcdef"})";

std::string parse_error(const std::string& text) {
    auto r = parse_scenario(text, "s.json", "/base", no_env());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::invalid_input);
    return r.error().message;
}

}  // namespace

TEST_CASE("scenario engine: absent means in_process, the default token variable") {
    auto r = parse_scenario(R"({"name": "d", "host": {"kind": "stub"},
        "matrix": {"modes": ["self_service"], "providers": [{"pack": "cn", "provider": "kimi"}]}})",
                            "s.json", "/base", no_env());
    REQUIRE(r.has_value());
    CHECK(r->engine.via == EngineVia::in_process);
    CHECK(r->engine.token_env == "SUB2API_CRM_ADMIN_TOKEN");
    CHECK(r->engine.url.empty());
}

TEST_CASE("scenario engine: via serve without url starts the run's own control plane") {
    auto r = parse_scenario(with_engine(R"({"via": "serve"})"), "s.json", "/base", no_env());
    REQUIRE(r.has_value());
    CHECK(r->engine.via == EngineVia::serve);
    CHECK(r->engine.url.empty());
    CHECK(r->engine.state_file.empty());
    CHECK(std::string(to_string(r->engine.via)) == "serve");
}

TEST_CASE("scenario engine: a url with its state file (resolved against the scenario) and token variable") {
    auto r = parse_scenario(with_engine(R"({"via": "serve", "url": "http://127.0.0.1:9000/", "token_env": "PLANE_TOKEN",
        "state_file": "state/plane.sqlite"})",
                                        k_real_host),
                            "s.json", "/base", no_env());
    REQUIRE(r.has_value());
    CHECK(r->engine.url == "http://127.0.0.1:9000");
    CHECK(r->engine.token_env == "PLANE_TOKEN");
    CHECK(r->engine.state_file == "/base/state/plane.sqlite");
}

TEST_CASE("scenario engine: bad values are one line naming the field") {
    CHECK(parse_error(with_engine(R"({"via": "http"})")) ==
          "s.json:5: engine.via: unknown value \"http\" (expected in_process or serve)");
    CHECK(parse_error(with_engine(R"({"via": "serve", "url": "127.0.0.1:9000", "state_file": "x"})", k_real_host))
              .find("engine.url: must start with http:// or https://") != std::string::npos);
    CHECK(parse_error(with_engine(R"({"via": "serve", "url": "http://127.0.0.1:9000"})", k_real_host))
              .find("s.json:5: engine: url needs state_file") != std::string::npos);
    CHECK(parse_error(with_engine(R"({"via": "serve", "state_file": "x"})"))
              .find("engine.state_file: only allowed with url") != std::string::npos);
    CHECK(parse_error(with_engine(R"({"via": "serve", "token_env": "not a name"})"))
              .find("engine.token_env: must be an environment variable name") != std::string::npos);
    CHECK(parse_error(with_engine(R"({"url": "http://x"})")).find("engine.url: only allowed with via \"serve\"") !=
          std::string::npos);
    CHECK(parse_error(with_engine(R"({"via": "serve", "port": 1})")).find("engine.port: unknown key") !=
          std::string::npos);
    CHECK(parse_error(with_engine(R"("serve")")).find("engine: must be an object") != std::string::npos);
}

TEST_CASE("scenario engine: a running control plane cannot serve a run's stub hosts") {
    CHECK(parse_error(with_engine(R"({"via": "serve", "url": "http://127.0.0.1:9000", "state_file": "x"})"))
              .find("engine.url: a running control plane cannot reach this run's stub upstreams") != std::string::npos);
}
