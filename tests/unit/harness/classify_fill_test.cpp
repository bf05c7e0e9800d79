// The runner's mapping from probe results onto observations, read through the classifier: what
// a probe saw must reach the rules with its meaning intact (a garbage 200 is no success, a
// transport failure keeps its own words, an admin API that is not sub2api is not a refusal).
#include <catch2/catch.hpp>
#include <string>

#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"
#include "harness/runner/observation_fill.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "probes/upstream/upstream_probes.hpp"
#include "tests/unit/probes/fake_transport.hpp"

using namespace crm::harness;
using crm::test::answer;
using crm::test::FakeTransport;
using crm::util::ErrorCode;

namespace {

crm::probes::upstream::UpstreamTarget upstream_target() {
    crm::probes::upstream::UpstreamTarget t;
    t.base_url = "http://127.0.0.1:9001";
    t.api_key = "sk-0123456789abcdef0123456789abcdef";
    return t;
}

classify::HttpObservation upstream_chat_from(crm::probes::HttpResponse response) {
    FakeTransport http;
    http.push(std::move(response));
    auto r = crm::probes::upstream::probe_upstream_chat(http, upstream_target(), "deepseek-chat");
    classify::HttpObservation o;
    runner::fill_chat(o, r, "19-upstream-chat.json");
    return o;
}

crm::util::json::object view_of(const classify::HttpObservation& upstream_chat) {
    classify::CellObservations obs;
    obs.upstream_chat = upstream_chat;
    return classify::to_json(obs).at("upstream_chat").as_object();
}

}  // namespace

TEST_CASE("classify fill: an upstream 200 whose body is not a chat completion is a failed direct probe", "[classify]") {
    for (const char* body : {"<html><body>It works!</body></html>", "OK", "", R"({"status":"ok"})", R"({"choices":[]})",
                             R"({"choices":[{"text":"legacy completion"}]})",
                             R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","con)"}) {
        INFO(body);
        auto o = upstream_chat_from(answer(200, body, "text/html"));
        CHECK(o.status == 200);
        CHECK(o.payload_parsed == false);
        auto v = view_of(o);
        CHECK_FALSE(v.at("ok").as_bool());
        CHECK(v.at("failed").as_bool());
        CHECK(std::string(v.at("summary").as_string()).find("not the expected payload") != std::string::npos);
    }
}

TEST_CASE("classify fill: an upstream 200 chat completion is a healthy direct probe", "[classify]") {
    auto o = upstream_chat_from(answer(
        200,
        R"({"id":"c","object":"chat.completion","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}]})"));
    CHECK(o.payload_parsed == true);
    auto v = view_of(o);
    CHECK(v.at("ok").as_bool());
    CHECK(v.at("summary").as_string() == "HTTP 200 OK");
}

TEST_CASE("classify fill: a transport failure keeps the transport's own words", "[classify]") {
    FakeTransport http;
    http.push_error({ErrorCode::stalled, "stalled: no payload bytes for 2000 ms", "POST x", 0, {}});
    crm::probes::gateway::ProbeTarget t;
    t.base_url = "http://127.0.0.1:9000";
    t.api_key = "sk-0123456789abcdef0123456789abcdef";
    auto r = crm::probes::gateway::probe_chat(http, t, "deepseek-chat");
    classify::HttpObservation o;
    runner::fill_chat(o, r, "10-chat.json");
    CHECK(o.transport_error == "stalled");
    CHECK(o.transport_detail == "stalled: no payload bytes for 2000 ms");
    CHECK_FALSE(o.payload_parsed.has_value());
    classify::CellObservations obs;
    obs.chat = o;
    CHECK(classify::to_json(obs).at("chat").at("summary").as_string() ==
          "no HTTP answer (stalled: no payload bytes for 2000 ms)");
}

TEST_CASE("classify fill: an admin API answering 200 non-JSON is not sub2api, not an auth rejection", "[classify]") {
    crm::probes::sub2api::HostCapabilities caps;
    caps.reachable = true;
    caps.admin_auth_ok = false;
    caps.admin_auth_error =
        "GET /api/v1/admin/system/version -> 200: non-JSON body from http://127.0.0.1:9/api/v1/admin/system/version: "
        "<html>hi</html>";
    classify::CellObservations obs;
    runner::fill_capabilities(obs, caps);
    CHECK_FALSE(obs.engine.admin_rejected.has_value());
    CHECK(obs.engine.admin_api_error == caps.admin_auth_error);
    auto c = classify::classify(obs, *classify::builtin_rules());
    CHECK(c.cause == classify::Cause::host_unreachable);
    CHECK(c.rule_id == "host-not-sub2api");
    CHECK(c.explanation.find("not as a sub2api admin API: GET /api/v1/admin/system/version -> 200: non-JSON body") !=
          std::string::npos);
    CHECK(c.explanation.find("admin key/JWT") == std::string::npos);
}

TEST_CASE("classify fill: admin refusals stay host_admin_rejected", "[classify]") {
    // The admin client's verdict (host_rejected) is carried as admin_auth_refused; the host's
    // refusal code counts on its own.
    struct Refusal {
        const char* message;
        const char* code;
    };
    for (auto [msg, code] :
         {Refusal{"GET /api/v1/admin/compliance -> 401 INVALID_ADMIN_KEY: Invalid admin API key", "INVALID_ADMIN_KEY"},
          Refusal{"GET /api/v1/admin/system/version -> 403: forbidden", ""},
          Refusal{"GET /api/v1/admin/system/version -> 423: locked", ""}}) {
        INFO(msg);
        crm::probes::sub2api::HostCapabilities caps;
        caps.admin_auth_ok = false;
        caps.admin_auth_refused = std::string_view(code).empty();
        caps.admin_auth_error = msg;
        caps.admin_auth_code = code;
        classify::CellObservations obs;
        runner::fill_capabilities(obs, caps);
        CHECK(obs.engine.admin_rejected == true);
        CHECK(obs.engine.admin_api_error.empty());
        CHECK(classify::classify(obs, *classify::builtin_rules()).cause == classify::Cause::host_admin_rejected);
    }
}
