#include "probes/envelope/body_parser.hpp"

#include <catch2/catch.hpp>

using namespace crm::probes::envelope;

TEST_CASE("envelope: sub2api success envelope is not an error") {
    auto p = parse_body(R"J({"code":0,"message":"success","data":{"id":3}})J", 200);
    CHECK(p.shape == BodyShape::sub2api_success);
    CHECK_FALSE(p.error.has_value());
    REQUIRE(p.json.has_value());
}

TEST_CASE("envelope: sub2api handler error keeps int code, reason and message") {
    auto e =
        extract_error(R"J({"code":409,"message":"group exists","reason":"GROUP_EXISTS","metadata":{"x":1}})J", 409);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::sub2api_handler_error);
    CHECK(e->code == "409");
    CHECK(e->reason == "GROUP_EXISTS");
    CHECK(e->message == "group exists");
    CHECK(e->http_status == 409);
}

TEST_CASE("envelope: sub2api middleware error keeps the string code") {
    auto e = extract_error(R"J({"code":"INSUFFICIENT_BALANCE","message":"Insufficient account balance"})J", 403);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::sub2api_middleware_error);
    CHECK(e->code == "INSUFFICIENT_BALANCE");
    CHECK(e->message == "Insufficient account balance");
    auto gate = extract_error(
        R"J({"code":"ADMIN_COMPLIANCE_ACK_REQUIRED","message":"ack","metadata":{"version":"v2026.06.10"}})J", 423);
    REQUIRE(gate);
    CHECK(gate->code == "ADMIN_COMPLIANCE_ACK_REQUIRED");
}

TEST_CASE("envelope: OpenAI-shaped DeepSeek 402 with null param") {
    auto e = extract_error(
        R"J({"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}})J",
        402);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::openai_error);
    CHECK(e->type == "unknown_error");
    CHECK(e->code == "invalid_request_error");
    CHECK(e->message == "Insufficient Balance");
    CHECK(e->param.empty());
    CHECK(e->vendor_code.empty());
}

TEST_CASE("envelope: relay 403 insufficient_user_quota with numeric param") {
    auto e = extract_error(
        R"J({"error":{"message":"user quota is not enough (request id: 2025x)","type":"new_api_error","param":403,"code":"insufficient_user_quota"}})J",
        403);
    REQUIRE(e);
    CHECK(e->code == "insufficient_user_quota");
    CHECK(e->param == "403");
    CHECK(e->vendor_code.empty());
}

TEST_CASE("envelope: sub2api gateway error after auth is OpenAI-shaped without code") {
    auto e = extract_error(R"J({"error":{"type":"upstream_error","message":"Upstream request failed"}})J", 502);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::openai_error);
    CHECK(e->type == "upstream_error");
    CHECK(e->code.empty());
}

TEST_CASE("envelope: MiniMax Anthropic-style error yields the trailing vendor code") {
    auto e = extract_error(
        R"J({"type":"error","error":{"type":"authorized_error","message":"login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)","http_code":"401"},"request_id":"abc"})J",
        401);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::anthropic_error);
    CHECK(e->type == "authorized_error");
    CHECK(e->vendor_code == "1004");
    CHECK(e->body_http_code == 401);
    CHECK(e->request_id == "abc");
    auto bal = extract_error(
        R"J({"type":"error","error":{"type":"api_error","message":"insufficient balance (1008)"},"request_id":"r"})J",
        500);
    REQUIRE(bal);
    CHECK(bal->vendor_code == "1008");
}

TEST_CASE("envelope: MiniMax base_resp error at HTTP 200 is an error") {
    auto e = extract_error(R"J({"choices":null,"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}})J",
                           200);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::minimax_base_resp);
    CHECK(e->code == "1008");
    CHECK(e->vendor_code == "1008");
    CHECK(e->message == "insufficient balance");
    CHECK(e->http_status == 200);
}

TEST_CASE("envelope: base_resp status 0 with a completion is not an error") {
    auto p = parse_body(
        R"J({"id":"x","choices":[{"message":{"content":"pong"}}],"base_resp":{"status_code":0,"status_msg":""}})J",
        200);
    CHECK(p.shape == BodyShape::json_other);
    CHECK_FALSE(p.error.has_value());
}

TEST_CASE("envelope: non-envelope error string (mixed channel warning)") {
    auto e = extract_error(R"J({"error":"mixed_channel_warning","message":"mixing"})J", 409);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::error_string);
    CHECK(e->code == "mixed_channel_warning");
}

TEST_CASE("envelope: chat completion at 200 is not an error, at 500 other JSON is") {
    CHECK_FALSE(extract_error(R"J({"object":"chat.completion","choices":[]})J", 200));
    auto e = extract_error(R"J({"msg":"bad gateway"})J", 502);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::json_other);
    CHECK(e->message == "bad gateway");
}

TEST_CASE("envelope: HTML error pages report their title") {
    auto e = extract_error("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", 502);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::html);
    CHECK(e->message == "502 Bad Gateway");
    CHECK_FALSE(extract_error("<html><title>ok</title></html>", 200));
}

TEST_CASE("envelope: plain text bodies are errors only at HTTP >= 400") {
    auto e = extract_error("upstream connect error or disconnect/reset before headers", 503);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::text);
    CHECK(e->message.starts_with("upstream connect error"));
    CHECK_FALSE(extract_error("pong", 200));
    CHECK(parse_body("  \n\n", 200).shape == BodyShape::empty);
    CHECK(parse_body("data: {}\n\n", 200).shape == BodyShape::sse);
}

TEST_CASE("envelope: DeepSeek blank lines before a JSON body are ignored") {
    auto p = parse_body("\n\n\n{\"error\":{\"message\":\"Model Not Exist\",\"type\":\"invalid_request_error\"}}", 400);
    CHECK(p.shape == BodyShape::openai_error);
    REQUIRE(p.error);
    CHECK(p.error->message == "Model Not Exist");
}

TEST_CASE("envelope: trailing vendor code needs 3-6 digits in final parentheses") {
    CHECK(trailing_vendor_code("invalid params, invalid chat setting (2013)") == "2013");
    CHECK(trailing_vendor_code("x (2056)  ") == "2056");
    CHECK(trailing_vendor_code("unknown error, 999 (1000)") == "1000");
    CHECK(trailing_vendor_code("bad (12)").empty());
    CHECK(trailing_vendor_code("bad (1234567)").empty());
    CHECK(trailing_vendor_code("(request id: 42)").empty());
    CHECK(trailing_vendor_code("(1234)") == "1234");
    CHECK(trailing_vendor_code("").empty());
}

TEST_CASE("envelope: invalid UTF-8 in messages is replaced so artifacts stay valid") {
    auto e = extract_error(std::string("bad \xff\xfe bytes"), 500);
    REQUIRE(e);
    CHECK(e->message == "bad ?? bytes");
    auto j = to_json(*e);
    CHECK(j.as_object().at("shape").as_string() == "text");
}

TEST_CASE("envelope: a huge numeric code does not overflow") {
    auto e = extract_error(R"J({"code":1e300,"message":"m"})J", 500);
    REQUIRE(e);
    CHECK(e->shape == BodyShape::sub2api_handler_error);
    CHECK_FALSE(e->code.empty());
    auto h = extract_error(R"J({"type":"error","error":{"message":"m","http_code":1e30}})J", 500);
    REQUIRE(h);
    CHECK(h->body_http_code == 0);
}
