#include "probes/gateway/gateway_probes.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/probes/fake_transport.hpp"
#include "util/secrets.hpp"

using namespace crm::probes;
using namespace crm::probes::gateway;
using crm::test::answer;
using crm::test::FakeTransport;
using crm::test::request_header;
using crm::util::ErrorCode;

namespace {

const std::string k_key = "sk-0123456789abcdef0123456789abcdef";

ProbeTarget gateway_target(AuthStyle auth = AuthStyle::bearer) {
    ProbeTarget t;
    t.base_url = "http://127.0.0.1:9000/";
    t.api_key = k_key;
    t.auth = auth;
    return t;
}

std::string good_stream() {
    return ": keep-alive\n\n"
           "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"po\"}}]}\n\n"
           "data: {\"choices\":[{\"delta\":{\"content\":\"ng\"},\"finish_reason\":\"stop\"}]}\n\n"
           "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n"
           "data: [DONE]\n\n";
}

}  // namespace

TEST_CASE("gateway probe: models lists the smoke model with Bearer auth") {
    FakeTransport http;
    http.push(
        answer(200, R"({"object":"list","data":[{"id":"deepseek-chat","type":"model"},{"id":"deepseek-reasoner"}]})"));
    auto r = probe_models(http, gateway_target(), "deepseek-chat");
    CHECK(r.ok());
    CHECK(r.model_ids == std::vector<std::string>{"deepseek-chat", "deepseek-reasoner"});
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == "http://127.0.0.1:9000/v1/models");
    CHECK(http.requests[0].method == "GET");
    CHECK(request_header(http.requests[0], "Authorization") == "Bearer " + k_key);
    CHECK_FALSE(request_header(http.requests[0], "x-api-key"));
}

TEST_CASE("gateway probe: models without the smoke model is not ok") {
    FakeTransport http;
    http.push(answer(200, R"({"object":"list","data":[{"id":"claude-sonnet-4-5"}]})"));
    auto r = probe_models(http, gateway_target(), "deepseek-chat");
    CHECK_FALSE(r.ok());
    CHECK(r.list_parsed);
    CHECK_FALSE(r.lists_expected);
}

TEST_CASE("gateway probe: x-api-key variant sends the key in x-api-key only") {
    FakeTransport http;
    http.push(answer(401, R"({"code":"API_KEY_REQUIRED","message":"API key is required"})"));
    auto r = probe_models(http, gateway_target(AuthStyle::x_api_key), "m");
    CHECK_FALSE(r.ok());
    CHECK(request_header(http.requests[0], "x-api-key") == k_key);
    CHECK_FALSE(request_header(http.requests[0], "Authorization"));
    REQUIRE(r.exchange.error_info);
    CHECK(r.exchange.error_info->code == "API_KEY_REQUIRED");
}

TEST_CASE("gateway probe: result JSON never contains the key") {
    FakeTransport http;
    auto resp = answer(200, R"({"data":[]})");
    resp.headers.emplace_back("Set-Cookie", "sid=" + k_key);
    http.push(resp);
    auto r = probe_models(http, gateway_target(), "m");
    const std::string text = crm::util::json::serialize(r.to_json());
    CHECK(text.find(k_key) == std::string::npos);
    CHECK(text.find("\"auth_style\":\"bearer\"") != std::string::npos);
    CHECK(r.exchange.headers_text().find(k_key) == std::string::npos);
}

TEST_CASE("gateway probe: chat sends the smoke payload and parses the completion") {
    FakeTransport http;
    http.push(answer(
        200,
        R"({"id":"c1","model":"deepseek-chat","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"total_tokens":3}})"));
    auto r = probe_chat(http, gateway_target(), "deepseek-chat");
    CHECK(r.ok());
    CHECK(r.content == "pong");
    CHECK(r.finish_reason == "stop");
    REQUIRE(r.usage);
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == "http://127.0.0.1:9000/v1/chat/completions");
    CHECK(http.requests[0].body ==
          R"({"model":"deepseek-chat","messages":[{"role":"user","content":"ping"}],"max_tokens":16})");
}

TEST_CASE("gateway probe: chat 502 upstream_error is recorded with its ErrorInfo") {
    FakeTransport http;
    http.push(answer(502, R"({"error":{"type":"upstream_error","message":"Upstream request failed"}})"));
    auto r = probe_chat(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    REQUIRE(r.exchange.error_info);
    CHECK(r.exchange.error_info->type == "upstream_error");
    CHECK(r.exchange.status() == 502);
}

TEST_CASE("gateway probe: chat 200 with MiniMax base_resp error is not ok") {
    FakeTransport http;
    http.push(answer(200, R"({"choices":null,"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}})"));
    auto r = probe_chat(http, gateway_target(), "MiniMax-M2.7");
    CHECK_FALSE(r.ok());
    REQUIRE(r.exchange.error_info);
    CHECK(r.exchange.error_info->vendor_code == "1008");
}

TEST_CASE("gateway probe: chat with no answer records the transport error") {
    FakeTransport http;
    http.push_error({ErrorCode::connect_failed, "refused", "POST x", 0, {}});
    auto r = probe_chat(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    REQUIRE(r.exchange.transport_error);
    CHECK(r.exchange.transport_error->code == ErrorCode::connect_failed);
    CHECK(r.exchange.headers_text().find("connect_failed") != std::string::npos);
}

TEST_CASE("gateway probe: a complete stream with usage and [DONE] is ok") {
    FakeTransport http;
    http.push(answer(200, good_stream(), "text/event-stream"));
    auto r = probe_chat_stream(http, gateway_target(), "m");
    CHECK(r.ok());
    CHECK(r.saw_done);
    CHECK(r.saw_usage);
    CHECK(r.data_chunks == 3);
    CHECK(r.comments == 1);
    CHECK(r.content == "pong");
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].keep_partial);
    CHECK(http.requests[0].body.find(R"("stream":true,"stream_options":{"include_usage":true})") != std::string::npos);
}

TEST_CASE("gateway probe: event: error after a 200 fails the stream and yields ErrorInfo") {
    FakeTransport http;
    http.push(answer(
        200,
        "data: {\"choices\":[{\"delta\":{\"content\":\"p\"}}]}\n\n"
        "event: error\ndata: {\"error\":{\"type\":\"upstream_error\",\"message\":\"Upstream request failed\"}}\n\n",
        "text/event-stream"));
    auto r = probe_chat_stream(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    CHECK(r.saw_error_event);
    CHECK_FALSE(r.truncated);
    REQUIRE(r.exchange.error_info);
    CHECK(r.exchange.error_info->type == "upstream_error");
}

TEST_CASE("gateway probe: a stream ending without [DONE] is truncated") {
    FakeTransport http;
    http.push(answer(200, "data: {\"choices\":[{\"delta\":{\"content\":\"p\"}}]}\n\n", "text/event-stream"));
    auto r = probe_chat_stream(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    CHECK(r.truncated);
    CHECK_FALSE(r.stalled);
}

TEST_CASE("gateway probe: a keep-alive stall is stalled, not truncated") {
    FakeTransport http;
    auto resp = answer(200, ": keep-alive\n\n: keep-alive\n\n", "text/event-stream");
    resp.cut_short = ErrorCode::stalled;
    http.push(resp);
    auto r = probe_chat_stream(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    CHECK(r.stalled);
    CHECK_FALSE(r.truncated);
    CHECK(r.comments == 2);
}

TEST_CASE("gateway probe: a stream without usage fails only when usage is required") {
    const std::string body = "data: {\"choices\":[{\"delta\":{\"content\":\"p\"}}]}\n\ndata: [DONE]\n\n";
    FakeTransport http;
    http.push(answer(200, body, "text/event-stream"));
    http.push(answer(200, body, "text/event-stream"));
    CHECK_FALSE(probe_chat_stream(http, gateway_target(), "m", true).ok());
    CHECK(probe_chat_stream(http, gateway_target(), "m", false).ok());
}

TEST_CASE("gateway probe: a 200 JSON error to a stream request is recorded, not a stream") {
    FakeTransport http;
    http.push(answer(200, R"({"error":{"type":"upstream_error","message":"bad","code":"bad_response"}})"));
    auto r = probe_chat_stream(http, gateway_target(), "m");
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.event_stream);
    REQUIRE(r.exchange.error_info);
    CHECK(r.exchange.error_info->code == "bad_response");
}

TEST_CASE("gateway probe: base URL joins never double /v1") {
    CHECK(join_api_url("https://api.minimaxi.com/v1", "/v1/chat/completions") ==
          "https://api.minimaxi.com/v1/chat/completions");
    CHECK(join_api_url("https://api.deepseek.com", "/v1/models") == "https://api.deepseek.com/v1/models");
    CHECK(join_api_url("https://api.deepseek.com/v1/", "/v1/models") == "https://api.deepseek.com/v1/models");
    CHECK(join_api_url("http://h:1//", "/health") == "http://h:1/health");
    CHECK(join_api_url("https://x/v1beta", "/v1/models") == "https://x/v1beta/v1/models");
}
