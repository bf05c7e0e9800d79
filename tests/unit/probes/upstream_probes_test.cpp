#include "probes/upstream/upstream_probes.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/probes/fake_transport.hpp"

using namespace crm::probes;
using crm::test::answer;
using crm::test::FakeTransport;

namespace {

upstream::UpstreamTarget target() {
    upstream::UpstreamTarget t;
    t.base_url = "https://api.deepseek.com";
    t.api_key = "sk-0123456789abcdef0123456789abcdef";
    return t;
}

}  // namespace

TEST_CASE("probes upstream: a 200 whose body is not a chat completion is not ok") {
    for (const char* body :
         {"<!doctype html><title>Welcome to nginx!</title>", "OK", "", "   \n  ", R"({"status":"ok"})",
          R"({"choices":[]})", R"({"choices":[{}]})", R"({"choices":[{"index":0,"text":"legacy"}]})",
          R"({"choices":[{"message":"pong"}]})", R"({"id":"x","choices":[{"message":{"role":"assi)"}) {
        INFO(body);
        FakeTransport http;
        http.push(answer(200, body, "text/html"));
        auto r = upstream::probe_upstream_chat(http, target(), "deepseek-chat");
        CHECK(r.exchange.status() == 200);
        CHECK_FALSE(r.completion_parsed);
        CHECK_FALSE(r.ok());
        CHECK_FALSE(r.to_json().at("ok").as_bool());
    }
}

TEST_CASE("probes upstream: a 200 chat completion is ok and names the upstream target") {
    FakeTransport http;
    http.push(answer(
        200,
        R"({"model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}]})"));
    auto r = upstream::probe_upstream_chat(http, target(), "deepseek-chat");
    CHECK(r.ok());
    CHECK(r.content == "pong");
    CHECK(r.exchange.request.target == "upstream");
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == "https://api.deepseek.com/v1/chat/completions");
}
