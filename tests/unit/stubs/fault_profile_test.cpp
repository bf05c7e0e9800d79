#include "stubs/fault_profile.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "stubs/stub_cluster.hpp"
#include "stubs/upstream/upstream_errors.hpp"

using namespace crm::stubs;

TEST_CASE("fault profiles: every documented profile is embedded and parses") {
    const auto names = profile_names();
    for (const char* n : {"healthy", "upstream_quota_exhausted", "host_chat_incompatible", "gateway_rejects_x_api_key",
                          "account_probe_429", "models_only", "sse_truncated", "keepalive_stall", "compliance_gate",
                          "shared_host_residue", "upstream_down", "latency", "no_fork_key_route",
                          "reverse_proxy_errors", "gateway_accepts_only_x_api_key"}) {
        INFO(n);
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
        auto p = load_profile(n);
        REQUIRE(p.has_value());
        CHECK(p->name == n);
        CHECK_FALSE(p->description.empty());
    }
}

TEST_CASE("fault profiles: healthy changes nothing, others switch on their mechanism") {
    CHECK(load_profile("healthy")->host == HostFaults{});
    CHECK(load_profile("healthy")->upstream == UpstreamFaults{});
    CHECK(load_profile("upstream_quota_exhausted")->upstream.chat_error == "relay_insufficient_user_quota");
    CHECK(load_profile("host_chat_incompatible")->host.responses_bridge);
    CHECK(load_profile("models_only")->host.force_responses);          // a host-side fault:
    CHECK(load_profile("models_only")->upstream == UpstreamFaults{});  // the upstream is healthy
    CHECK(load_profile("compliance_gate")->host.compliance_gate);
    CHECK(load_profile("keepalive_stall")->upstream.stream_mode == "keepalive_stall");
    CHECK(load_profile("latency")->upstream.latency_ms > 0);
    CHECK(load_profile("no_fork_key_route")->host.routes_missing ==
          std::vector<std::string>{"POST /api/v1/admin/users/:id/api-keys"});
    CHECK(load_profile("reverse_proxy_errors")->host.proxy_errors.at("POST /v1/chat/completions") == 504);
    CHECK(load_profile("gateway_accepts_only_x_api_key")->host.gateway_x_api_key_only);
}

TEST_CASE("fault profiles: route faults take \"METHOD /path\" keys and proxy statuses 502-504 only") {
    auto ok = parse_profile(
        R"({"name":"x","host":{"routes_missing":["GET /health"],"proxy_errors":{"POST /v1/models":503}}})", "t");
    REQUIRE(ok.has_value());
    auto again = parse_profile(crm::util::json::serialize(profile_to_json(*ok)), "roundtrip");
    REQUIRE(again.has_value());
    CHECK(*again == *ok);
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"routes_missing":["/health"]}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"routes_missing":["get /health"]}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"routes_missing":"GET /health"}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"proxy_errors":{"GET /health":500}}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"proxy_errors":{"GET health":502}}})", "t").has_value());
}

TEST_CASE("fault profiles: a file path loads; unknown names, keys and errors are rejected") {
    auto dir = std::filesystem::temp_directory_path() / ("crm-profile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = dir / "custom.json";
    std::ofstream(path) << R"({"name":"custom","description":"d","upstream":{"latency_ms":5,"stall_max_ms":100}})";
    auto p = load_profile(path.string());
    REQUIRE(p.has_value());
    CHECK(p->upstream.latency_ms == 5);
    CHECK(p->upstream.stall_max_ms == 100);
    CHECK_FALSE(load_profile("no_such_profile").has_value());
    CHECK(load_profile("no_such_profile").error().code == crm::util::ErrorCode::invalid_input);
    CHECK_FALSE(parse_profile(R"({"name":"x","upstream":{"latency":5}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","upstream":{"chat_error":"nope"}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","upstream":{"stream_mode":"weird"}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"compliance_gate":"yes"}})", "t").has_value());
    CHECK_FALSE(parse_profile(R"({"description":"no name"})", "t").has_value());
    std::filesystem::remove_all(dir);
}

TEST_CASE("fault profiles: host latency_ms parses, round-trips and is never negative") {
    auto p = parse_profile(R"({"name":"x","host":{"latency_ms":20}})", "t");
    REQUIRE(p.has_value());
    CHECK(p->host.latency_ms == 20);
    CHECK(p->upstream == UpstreamFaults{});
    auto again = parse_profile(crm::util::json::serialize(profile_to_json(*p)), "roundtrip");
    REQUIRE(again.has_value());
    CHECK(*again == *p);
    CHECK_FALSE(parse_profile(R"({"name":"x","host":{"latency_ms":-1}})", "t").has_value());
}

TEST_CASE("fault profiles: profile_to_json round-trips") {
    auto p = load_profile("keepalive_stall");
    REQUIRE(p);
    auto again = parse_profile(crm::util::json::serialize(profile_to_json(*p)), "roundtrip");
    REQUIRE(again);
    CHECK(*again == *p);
}

TEST_CASE("upstream errors: every named error is provider shaped") {
    for (const auto& name : upstream_error_names()) {
        INFO(name);
        auto r = upstream_error_response(name);
        CHECK(r.status >= 200);
        CHECK_FALSE(r.body.empty());
    }
    auto q = upstream_error_response("relay_insufficient_user_quota");
    CHECK(q.status == 403);
    CHECK(q.body.find("\"code\":\"insufficient_user_quota\"") != std::string::npos);
    CHECK(q.body.find("one_api_error") != std::string::npos);
    CHECK(upstream_error_response("deepseek_402").body.find("Insufficient Balance") != std::string::npos);
    auto mm = upstream_error_response("minimax_base_resp_1008");
    CHECK(mm.status == 200);
    CHECK(mm.body.find("\"status_code\":1008") != std::string::npos);
    CHECK(upstream_error_response("minimax_2013_400").body.find("(2013)") != std::string::npos);
    CHECK(upstream_developer_role_error("deepseek", 0).body.find("unknown variant `developer`") != std::string::npos);
}
