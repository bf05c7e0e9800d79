#include "stubs/upstream/stub_upstream.hpp"

#include <catch2/catch.hpp>

#include "util/json.hpp"

using namespace crm::stubs;
namespace json = crm::util::json;

namespace {
Request chat_request(const std::string& key, const std::string& role, bool stream,
                     const std::string& model = "deepseek-chat") {
    Request r;
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.headers = {{"authorization", "Bearer " + key}};
    json::object body{{"model", model}, {"messages", json::array{json::object{{"role", role}, {"content", "hi"}}}}};
    if (stream) body["stream"] = true;
    r.body = json::serialize(body);
    return r;
}

// Runs a streaming response into a string.
struct Capture final : StreamWriter {
    std::string out;
    bool write(std::string_view b) override {
        out.append(b);
        return true;
    }
    bool wait(std::chrono::milliseconds) override { return true; }
};
}  // namespace

TEST_CASE("stub upstream: wrong bearer gets the provider's 401, right one a chat.completion with usage") {
    StubUpstream up("deepseek", "deepseek", "sk-right-key", {});
    auto bad = up.handle(chat_request("sk-wrong", "user", false));
    CHECK(bad.status == 401);
    CHECK(bad.body.find("authentication_error") != std::string::npos);
    auto ok = up.handle(chat_request("sk-right-key", "user", false));
    REQUIRE(ok.status == 200);
    auto doc = json::parse(ok.body);
    CHECK(doc.at("object").as_string() == "chat.completion");
    CHECK(doc.at("usage").at("prompt_cache_miss_tokens").as_int64() > 0);
    CHECK(up.chat_calls() == 1);
}

TEST_CASE("stub upstream: DeepSeek and MiniMax reject the developer role, the OpenAI style accepts it") {
    StubUpstream ds("d", "deepseek", "k", {});
    StubUpstream mm("m", "minimax", "k", {});
    StubUpstream oa("o", "openai", "k", {});
    CHECK(ds.handle(chat_request("k", "developer", false)).status == 400);
    auto m = mm.handle(chat_request("k", "developer", false, "MiniMax-M2.7"));
    CHECK(m.status == 400);
    CHECK(m.body.find("invalid role: developer (2013)") != std::string::npos);
    CHECK(oa.handle(chat_request("k", "developer", false, "kimi-k2-0905-preview")).status == 200);
}

TEST_CASE("stub upstream: transient 429 hits only the first N streamed calls per key") {
    UpstreamFaults f;
    f.transient_429_streams = 1;
    StubUpstream up("d", "deepseek", "k", f);
    CHECK(up.handle(chat_request("k", "user", false)).status == 200);
    CHECK(up.handle(chat_request("k", "user", true)).status == 429);
    CHECK(up.handle(chat_request("k", "user", true)).status == 200);
}

TEST_CASE("stub upstream: stream ends with usage and [DONE]; truncated mode drops both") {
    StubUpstream normal("d", "deepseek", "k", {});
    auto s = normal.handle(chat_request("k", "user", true));
    REQUIRE(s.stream);
    Capture c1;
    s.stream(c1);
    CHECK(c1.out.find("\"usage\"") != std::string::npos);
    CHECK(c1.out.ends_with("data: [DONE]\n\n"));
    UpstreamFaults f;
    f.stream_mode = "truncated";
    StubUpstream cut("d", "deepseek", "k", f);
    Capture c2;
    cut.handle(chat_request("k", "user", true)).stream(c2);
    CHECK(c2.out.find("pong") != std::string::npos);
    CHECK(c2.out.find("[DONE]") == std::string::npos);
    CHECK(c2.out.find("\"usage\"") == std::string::npos);
}

TEST_CASE("stub upstream: keep-alive stall writes only comments and stops at stall_max_ms") {
    UpstreamFaults f;
    f.stream_mode = "keepalive_stall";
    f.stall_max_ms = 100;
    f.keepalive_interval_ms = 10;
    StubUpstream up("d", "deepseek", "k", f);
    Capture c;
    up.handle(chat_request("k", "user", true)).stream(c);
    CHECK(c.out.find(": keep-alive\n\n") == 0);
    CHECK(c.out.find("data:") == std::string::npos);
    CHECK(c.out.size() == std::string(": keep-alive\n\n").size() * 10);
}
