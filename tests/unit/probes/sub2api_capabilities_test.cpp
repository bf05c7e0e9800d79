#include <catch2/catch.hpp>

#include "probes/sub2api/admin_client.hpp"
#include "tests/unit/probes/sub2api_fake_host.hpp"

using namespace crm::probes::sub2api;
using crm::probes::HttpRequest;
using crm::probes::HttpResponse;
using crm::util::ErrorCode;
using crm::util::SecretRegistry;
namespace fake = crm::test::sub2api_fake;
namespace json = boost::json;

namespace {

const std::string k_admin_key = "admin-" + std::string(64, 'b');

AdminClientOptions options(bool accept) {
    AdminClientOptions o;
    o.base_url = "http://127.0.0.1:9";
    o.credentials.api_key = k_admin_key;
    o.accept_compliance = accept;
    return o;
}

// A configurable v0.1.179-like host.
struct Host {
    bool gate = false;
    bool accepted = false;
    bool fork = false;
    bool channels = true;
    bool backend_mode = false;
    bool reject_key = false;
    std::string version = "0.1.179";

    crm::util::Result<HttpResponse> operator()(const HttpRequest& r) {
        auto p = fake::path_of(r);
        if (p == "/health") return fake::reply(200, R"({"status":"ok"})");
        if (p == "/api/v1/settings/public") {
            return fake::ok(json::object{{"version", version}, {"backend_mode_enabled", backend_mode}});
        }
        if (reject_key) return fake::reply(401, R"({"code":"INVALID_ADMIN_KEY","message":"Invalid admin API key"})");
        if (p == "/api/v1/admin/compliance") {
            json::object d{{"required", gate && !accepted}, {"version", "v2026.06.10"}, {"ack_phrase_en", "I agree"}};
            if (accepted) d["acknowledgement"] = json::object{{"version", "v2026.06.10"}};
            return fake::ok(d);
        }
        if (p == "/api/v1/admin/compliance/accept") {
            accepted = true;
            return fake::ok(json::object{});
        }
        if (gate && !accepted) {
            return fake::reply(423, R"({"code":"ADMIN_COMPLIANCE_ACK_REQUIRED","message":"ack"})");
        }
        if (p == "/api/v1/admin/system/version") return fake::ok(json::object{{"version", version}});
        if (p == "/api/v1/admin/channels") {
            if (!channels) return fake::reply(404, "404 page not found");
            return fake::page(json::array{}, 1, 0);
        }
        if (p == "/api/v1/admin/users/0/api-keys") {
            if (!fork) return fake::reply(404, "404 page not found");
            return fake::reply(400,
                               R"({"code":400,"message":"Invalid request: Key: 'CreateAPIKeyRequest.Name' required"})");
        }
        return fake::reply(404, "404 page not found");
    }
};

HostCapabilities probe(Host& h, bool accept = false) {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, std::ref(h));
    AdminClient client(host, options(accept), secrets);
    auto caps = client.probe_capabilities();
    REQUIRE(caps);
    return *caps;
}

}  // namespace

TEST_CASE("capabilities: a healthy v0.1.179 host without the fork route keys users by login") {
    Host h;
    auto caps = probe(h);
    CHECK(caps.reachable);
    CHECK(caps.health_status == "ok");
    CHECK(caps.version == "0.1.179");
    CHECK(caps.admin_auth_mode == "api_key");
    CHECK(caps.admin_auth_ok);
    CHECK(caps.compliance == ComplianceState::not_required);
    CHECK(caps.channels_supported);
    CHECK(caps.key_route == KeyRoute::user_login);
    CHECK(std::find(caps.platforms.begin(), caps.platforms.end(), "deepseek") != caps.platforms.end());
    CHECK(std::find(caps.platforms.begin(), caps.platforms.end(), "minimax") == caps.platforms.end());
    CHECK(caps.platforms_source == "sub2api v0.1.179 platform enum");
}

TEST_CASE("capabilities: the fork's handler answer to the probe marks the admin key route") {
    Host h;
    h.fork = true;
    auto caps = probe(h);
    CHECK(caps.key_route == KeyRoute::admin_fork_route);
    CHECK(std::find(caps.platforms.begin(), caps.platforms.end(), "newapi") != caps.platforms.end());
}

TEST_CASE("capabilities: a closed compliance gate is reported, not accepted, without permission") {
    Host h;
    h.gate = true;
    auto caps = probe(h, false);
    CHECK(caps.compliance == ComplianceState::required);
    CHECK(caps.admin_auth_ok);
    CHECK_FALSE(caps.compliance_accepted_now);
    CHECK_FALSE(h.accepted);
    CHECK(caps.admin_auth_error.find("compliance gate not accepted") != std::string::npos);
}

TEST_CASE("capabilities: with accept_compliance the probe accepts the gate and says so") {
    Host h;
    h.gate = true;
    auto caps = probe(h, true);
    CHECK(h.accepted);
    CHECK(caps.compliance == ComplianceState::accepted);
    CHECK(caps.compliance_accepted_now);
    CHECK(caps.channels_supported);
}

TEST_CASE("capabilities: a rejected admin key is reported and nothing else is probed") {
    Host h;
    h.reject_key = true;
    SecretRegistry secrets;
    fake::FakeHost host(secrets, std::ref(h));
    AdminClient client(host, options(false), secrets);
    auto caps = client.probe_capabilities();
    REQUIRE(caps);
    CHECK_FALSE(caps->admin_auth_ok);
    CHECK(caps->admin_auth_error == "GET /api/v1/admin/compliance -> 401 INVALID_ADMIN_KEY: Invalid admin API key");
    CHECK(caps->key_route == KeyRoute::unknown);
    CHECK(host.paths() ==
          std::vector<std::string>{"GET /health", "GET /api/v1/settings/public", "GET /api/v1/admin/compliance"});
}

TEST_CASE("capabilities: backend mode without the fork route leaves no way to create user keys") {
    Host h;
    h.backend_mode = true;
    auto caps = probe(h);
    CHECK(caps.backend_mode_enabled);
    CHECK(caps.key_route == KeyRoute::unavailable);
}

TEST_CASE("capabilities: an unreachable host is the transport error") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) -> crm::util::Result<HttpResponse> {
        return crm::util::fail(ErrorCode::connect_failed, "connection refused");
    });
    AdminClient client(host, options(false), secrets);
    auto caps = client.probe_capabilities();
    REQUIRE_FALSE(caps);
    CHECK(caps.error().code == ErrorCode::connect_failed);
}

TEST_CASE("capabilities: to_json is versioned and carries no admin key") {
    Host h;
    auto caps = probe(h);
    auto j = caps.to_json();
    CHECK(j.at("schema_version") == 1);
    CHECK(j.at("key_creation").at("route") == "user_login");
    CHECK(j.at("compliance").at("state") == "not_required");
    CHECK(json::serialize(j).find(k_admin_key) == std::string::npos);
}

TEST_CASE("capabilities: fork route detection tells handler answers from catch-alls") {
    CHECK(is_fork_key_route_answer(fake::reply(400, R"({"code":400,"message":"Invalid request"})")));
    CHECK(is_fork_key_route_answer(
        fake::reply(404, R"({"code":404,"message":"user not found","reason":"USER_NOT_FOUND"})")));
    CHECK_FALSE(is_fork_key_route_answer(fake::reply(404, "404 page not found")));
    CHECK_FALSE(is_fork_key_route_answer(fake::reply(404, R"({"code":404,"message":"route not found"})")));
    CHECK_FALSE(is_fork_key_route_answer(fake::reply(405, R"({"code":405,"message":"method not allowed"})")));
    CHECK_FALSE(is_fork_key_route_answer(fake::reply(200, "<html></html>")));
    CHECK_FALSE(is_fork_key_route_answer(fake::reply(401, R"({"code":"UNAUTHORIZED","message":"x"})")));
}

TEST_CASE("capabilities: platforms follow the host version") {
    std::string source;
    auto newer = platforms_for_version("v0.1.190", false, false, source);
    CHECK(std::find(newer.begin(), newer.end(), "minimax") != newer.end());
    CHECK(source.find("PR #6758") != std::string::npos);
    auto legacy = platforms_for_version("", false, true, source);
    CHECK(legacy == std::vector<std::string>{"anthropic", "openai", "gemini"});
    auto unknown = platforms_for_version("dev", false, false, source);
    CHECK(std::find(unknown.begin(), unknown.end(), "deepseek") != unknown.end());
    CHECK(source.find("not parsed") != std::string::npos);
}

TEST_CASE("capabilities: a text or HTML answer to the fork-route probe is quoted whole, URL intact") {
    // The request description once held a view into a temporary URL; a non-JSON answer then
    // copied freed heap bytes into 02-host-capabilities.json (AddressSanitizer: use after free).
    Host h;  // no fork route: Gin's text 404
    auto caps = probe(h);
    CHECK(caps.key_route == KeyRoute::user_login);
    CHECK(caps.key_route_evidence ==
          "POST /api/v1/admin/users/0/api-keys -> 404: non-JSON body from "
          "http://127.0.0.1:9/api/v1/admin/users/0/api-keys: 404 page not found");
    auto text = json::serialize(caps.to_json());
    CHECK(json::parse(text).at("key_creation").is_object());
}
