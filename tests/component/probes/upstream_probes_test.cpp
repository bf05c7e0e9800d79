// Upstream direct probes against the in-process stub upstreams, one fault profile at a time.
#include "probes/upstream/upstream_probes.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "stubs/stub_cluster.hpp"

using namespace std::chrono_literals;
using namespace crm::probes;
using crm::stubs::StubCluster;
using crm::stubs::StubOptions;
using crm::util::ErrorCode;

namespace {

struct Upstream {
    std::unique_ptr<StubCluster> cluster;
    upstream::UpstreamTarget target;
};

// One stub upstream named "u" of `style` with `profile` (a name or a file path).
Upstream start_upstream(const std::string& style, const std::string& profile) {
    StubOptions options;
    options.upstreams = {{"u", style, profile}};
    auto started = StubCluster::start(options);
    REQUIRE(started.has_value());
    Upstream up;
    up.cluster = std::move(*started);
    const auto& ep = up.cluster->endpoints();
    up.target.base_url = ep.upstream_urls.at("u");
    up.target.api_key = ep.upstream_keys.at("u");
    up.target.timeouts.connect = 2000ms;
    up.target.timeouts.total = 20000ms;
    up.target.timeouts.idle = 5000ms;
    return up;
}

std::string write_profile(const std::string& name, const std::string& upstream_json) {
    const auto dir = std::filesystem::temp_directory_path() / "crm-probe-profiles";
    std::filesystem::create_directories(dir);
    const auto path = dir / (name + ".json");
    std::ofstream(path) << R"({"name":")" << name << R"(","description":"probe test","host":{},"upstream":)"
                        << upstream_json << "}";
    return path.string();
}

}  // namespace

TEST_CASE("upstream probe (stub): healthy deepseek lists the model, chat and stream succeed") {
    auto up = start_upstream("deepseek", "healthy");
    auto http = make_curl_transport();
    auto models = upstream::probe_upstream_models(*http, up.target, "deepseek-chat");
    CHECK(models.ok());
    CHECK(models.exchange.request.url.ends_with("/v1/models"));
    auto chat = upstream::probe_upstream_chat(*http, up.target, "deepseek-chat");
    CHECK(chat.ok());
    CHECK_FALSE(chat.content.empty());
    auto stream = upstream::probe_upstream_chat_stream(*http, up.target, "deepseek-chat", true);
    CHECK(stream.ok());
    CHECK(stream.saw_done);
    CHECK(stream.saw_usage);
}

TEST_CASE("upstream probe (stub): minimax base URL with /v1 is not doubled") {
    auto up = start_upstream("minimax", "healthy");
    REQUIRE(up.target.base_url.ends_with("/v1"));
    auto http = make_curl_transport();
    auto models = upstream::probe_upstream_models(*http, up.target, "MiniMax-M2.7");
    CHECK(models.ok());
    CHECK(models.exchange.request.url.find("/v1/v1") == std::string::npos);
    CHECK(upstream::probe_upstream_chat(*http, up.target, "MiniMax-M2.7").ok());
}

TEST_CASE("upstream probe (stub): a wrong provider key is a 401 with the provider's error") {
    auto up = start_upstream("deepseek", "healthy");
    up.target.api_key = "sk-wrong-key-000000";
    auto http = make_curl_transport();
    auto chat = upstream::probe_upstream_chat(*http, up.target, "deepseek-chat");
    CHECK_FALSE(chat.ok());
    CHECK(chat.exchange.status() == 401);
    REQUIRE(chat.exchange.error_info);
    CHECK(chat.exchange.error_info->type == "authentication_error");
}

TEST_CASE("upstream probe (stub): quota exhausted relay answers 403 insufficient_user_quota") {
    auto up = start_upstream("deepseek", "upstream_quota_exhausted");
    auto http = make_curl_transport();
    auto chat = upstream::probe_upstream_chat(*http, up.target, "deepseek-chat");
    CHECK_FALSE(chat.ok());
    CHECK(chat.exchange.status() == 403);
    REQUIRE(chat.exchange.error_info);
    CHECK(chat.exchange.error_info->code == "insufficient_user_quota");
    CHECK(chat.exchange.error_info->shape == envelope::BodyShape::openai_error);
}

TEST_CASE("upstream probe (stub): upstream down answers 5xx to models and chat") {
    auto up = start_upstream("deepseek", "upstream_down");
    auto http = make_curl_transport();
    auto models = upstream::probe_upstream_models(*http, up.target, "deepseek-chat");
    auto chat = upstream::probe_upstream_chat(*http, up.target, "deepseek-chat");
    CHECK_FALSE(models.ok());
    CHECK_FALSE(chat.ok());
    CHECK(models.exchange.status() >= 500);
    CHECK(chat.exchange.status() >= 500);
    REQUIRE(chat.exchange.error_info);
}

TEST_CASE("upstream probe (stub): a keep-alive stall ends as stalled within the idle timeout") {
    auto up = start_upstream(
        "deepseek",
        write_profile("stall_fast",
                      R"({"stream_mode":"keepalive_stall","stall_max_ms":20000,"keepalive_interval_ms":50})"));
    up.target.timeouts.idle = 400ms;
    auto http = make_curl_transport();
    auto stream = upstream::probe_upstream_chat_stream(*http, up.target, "deepseek-chat");
    CHECK_FALSE(stream.ok());
    CHECK(stream.stalled);
    CHECK_FALSE(stream.truncated);
    CHECK(stream.comments > 0);
    REQUIRE(stream.exchange.response);
    CHECK(stream.exchange.response->cut_short == std::optional<ErrorCode>(ErrorCode::stalled));
    // Non-stream: blank lines before a body that never comes.
    auto chat = upstream::probe_upstream_chat(*http, up.target, "deepseek-chat");
    CHECK_FALSE(chat.ok());
    CHECK(chat.exchange.failure() == std::optional<ErrorCode>(ErrorCode::stalled));
    up.cluster->release_stalls();
}

TEST_CASE("upstream probe (stub): a stream without [DONE] is detected as truncated") {
    auto up = start_upstream("deepseek", "sse_truncated");
    auto http = make_curl_transport();
    auto stream = upstream::probe_upstream_chat_stream(*http, up.target, "deepseek-chat");
    CHECK_FALSE(stream.ok());
    CHECK(stream.truncated);
    CHECK_FALSE(stream.saw_done);
    CHECK_FALSE(stream.stalled);
    CHECK(stream.data_chunks > 0);
}

TEST_CASE("upstream probe (stub): MiniMax base_resp 1008 at HTTP 200 is detected") {
    auto up = start_upstream("minimax", write_profile("mm_base_resp", R"({"chat_error":"minimax_base_resp_1008"})"));
    auto http = make_curl_transport();
    auto chat = upstream::probe_upstream_chat(*http, up.target, "MiniMax-M2.7");
    CHECK_FALSE(chat.ok());
    CHECK(chat.exchange.status() == 200);
    REQUIRE(chat.exchange.error_info);
    CHECK(chat.exchange.error_info->shape == envelope::BodyShape::minimax_base_resp);
    CHECK(chat.exchange.error_info->vendor_code == "1008");
}

TEST_CASE("upstream probe (stub): MiniMax Anthropic-style 500 carries vendor code 1008") {
    auto up = start_upstream("minimax", write_profile("mm_1008_500", R"({"chat_error":"minimax_1008_500"})"));
    auto http = make_curl_transport();
    auto chat = upstream::probe_upstream_chat(*http, up.target, "MiniMax-M2.7");
    CHECK(chat.exchange.status() == 500);
    REQUIRE(chat.exchange.error_info);
    CHECK(chat.exchange.error_info->shape == envelope::BodyShape::anthropic_error);
    CHECK(chat.exchange.error_info->vendor_code == "1008");
    CHECK(chat.exchange.error_info->body_http_code == 500);
}
