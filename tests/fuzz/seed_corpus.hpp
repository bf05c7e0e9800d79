#pragma once
// Real inputs (from the sub2api and upstream reference notes) that seed both the libFuzzer
// targets and the bounded randomized CTest. Header-only and free of util/ so the standalone
// clang build can use it.
#include <string>
#include <vector>

namespace crm::fuzz {

inline const std::vector<std::string>& sse_seeds() {
    static const std::vector<std::string> seeds = {
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"role\":\"assistant\",\"content\":\"po\"}}]}\n\n"
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n"
        "data: [DONE]\n\n",
        ": keep-alive\n\n: keep-alive\n\n: keep-alive\n\n",
        "event: error\ndata: {\"error\": {\"type\": \"upstream_error\", \"message\": \"Upstream request failed\"}}\n\n",
        "data: {\"type\":\"test_start\",\"model\":\"deepseek-chat\"}\n\n"
        "data: {\"type\":\"status\",\"text\":\"\xe6\xad\xa3\xe5\x9c\xa8\xe9\x80\x9a\xe8\xbf\x87 "
        "/v1/chat/completions\"}\n\n"
        "data: {\"type\":\"content\",\"text\":\"pong\"}\n\n"
        "data: {\"type\":\"test_complete\",\"success\":true}\n\n",
        "data: {\"type\":\"error\",\"error\":\"API returned 429: {}\"}\n\n",
        "\xEF\xBB\xBFretry: 1500\r\nid: 7\r\nevent: status\r\ndata: a\r\ndata: b\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{\"role\":\"\",\"reasoning_content\":\"\"}}],"
        "\"usage\":{\"total_tokens\":0,\"total_characters\":0},\"input_sensitive\":false}\r\r",
        "data: {\"choices\":[{\"delta\":{\"content\":\"p\"}}]}\n\ndata: {\"cho",
        "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":"
        "{\"code\":\"upstream_error\"}}}\n\n",
    };
    return seeds;
}

inline const std::vector<std::string>& body_seeds() {
    static const std::vector<std::string> seeds = {
        R"J({"code":0,"message":"success","data":{"items":[],"total":0,"page":1,"page_size":20,"pages":0}})J",
        R"J({"code":409,"message":"group exists","reason":"GROUP_EXISTS","metadata":{"name":"g"}})J",
        R"J({"code":"ADMIN_COMPLIANCE_ACK_REQUIRED","message":"ack required","metadata":{"version":"v2026.06.10"}})J",
        R"J({"code":"INSUFFICIENT_BALANCE","message":"Insufficient account balance"})J",
        R"J({"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}})J",
        R"J({"error":{"message":"Authentication Fails, Your api key: ****d569 is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}})J",
        R"J({"error":{"message":"user quota is not enough (request id: 2025)","type":"new_api_error","param":"403","code":"insufficient_user_quota"}})J",
        R"J({"type":"error","error":{"type":"authorized_error","message":"login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)","http_code":"401"},"request_id":"r1"})J",
        R"J({"type":"error","error":{"type":"bad_request_error","message":"invalid params, invalid chat setting (2013)","http_code":"400"},"request_id":"r2"})J",
        R"J({"type":"error","error":{"type":"api_error","message":"insufficient balance (1008)"},"request_id":"r3"})J",
        R"J({"base_resp":{"status_code":2049,"status_msg":"invalid api key"}})J",
        R"J({"choices":null,"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}})J",
        R"J({"error":{"message":"Your account org-x <ak-y> is suspended due to insufficient balance","type":"exceeded_current_quota_error"}})J",
        R"J({"error":"mixed_channel_warning","message":"mixing anthropic and antigravity"})J",
        R"J({"object":"list","data":[{"id":"deepseek-chat","type":"model","display_name":"deepseek-chat","created_at":"2024-01-01T00:00:00Z"}]})J",
        R"J({"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}})J",
        "\n\n\n{\"error\":{\"message\":\"Model Not Exist\",\"type\":\"invalid_request_error\"}}",
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
        "upstream connect error or disconnect/reset before headers. reset reason: overflow",
        "data: {\"choices\":[]}\n\n",
        "",
    };
    return seeds;
}

}  // namespace crm::fuzz
