#include "stubs/upstream/stub_upstream.hpp"

#include <algorithm>
#include <array>

#include "stubs/host/json_access.hpp"
#include "stubs/upstream/upstream_errors.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

namespace crm::stubs {

namespace json = util::json;

namespace {

const std::vector<std::string>& models_of(std::string_view style) {
    static const std::vector<std::string> deepseek = {"deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash",
                                                      "deepseek-v4-pro"};
    static const std::vector<std::string> minimax = {"MiniMax-M2", "MiniMax-M2.1", "MiniMax-M2.5", "MiniMax-M2.7",
                                                     "MiniMax-M3"};
    static const std::vector<std::string> openai = {"kimi-k2-0905-preview", "kimi-k2-turbo-preview", "moonshot-v1-8k",
                                                    "gpt-4o-mini"};
    if (style == "deepseek") return deepseek;
    if (style == "minimax") return minimax;
    return openai;
}

std::string owner_of(std::string_view style) {
    if (style == "deepseek") return "deepseek";
    if (style == "minimax") return "minimax";
    return "moonshot";
}

std::string json_response_text(json::object o) { return json::serialize(o); }

Response ok_json(std::string body) {
    Response r;
    r.body = std::move(body);
    return r;
}

// The reply text is fixed so tests and evidence are deterministic.
constexpr std::array<std::string_view, 3> k_pieces = {"pong", " from", " stub"};

}  // namespace

StubUpstream::StubUpstream(std::string name, std::string style, std::string key, UpstreamFaults faults)
    : m_name(std::move(name)), m_style(std::move(style)), m_key(std::move(key)), m_faults(std::move(faults)) {}

void StubUpstream::stop() {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_cv.notify_all();
}

void StubUpstream::sleep_ms(int ms) {
    if (ms <= 0) return;
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return m_stopping; });
}

bool StubUpstream::knows_model(std::string_view model) const {
    if (model.empty()) return false;
    if (m_style != "deepseek") return true;
    const auto& list = models_of(m_style);
    return std::find(list.begin(), list.end(), model) != list.end();
}

Response StubUpstream::handle(const Request& request) {
    const std::string& path = request.path;
    const bool is_models = path == "/models" || path == "/v1/models";
    const bool is_chat = path == "/chat/completions" || path == "/v1/chat/completions";
    if (!is_models && !is_chat) {
        Response r;
        r.status = 404;
        r.body = R"({"error":{"message":"Not Found","type":"invalid_request_error","param":null,"code":"not_found"}})";
        return r;
    }
    if ((is_models && request.method != "GET") || (is_chat && request.method != "POST")) {
        Response r;
        r.status = 405;
        r.body = R"({"error":{"message":"Method Not Allowed","type":"invalid_request_error"}})";
        return r;
    }
    sleep_ms(m_faults.latency_ms);
    auto auth = request.header("authorization").value_or("");
    const std::string expected = "Bearer " + m_key;
    if (auth != expected) {
        std::string tail = auth.size() >= 4 ? auth.substr(auth.size() - 4) : std::string("****");
        return upstream_auth_error(m_style, tail);
    }
    return is_models ? models(request) : chat(request);
}

Response StubUpstream::models(const Request&) {
    if (!m_faults.models_error.empty()) return upstream_error_response(m_faults.models_error);
    json::array data;
    for (const auto& id : models_of(m_style))
        data.push_back(json::object{{"id", id}, {"object", "model"}, {"owned_by", owner_of(m_style)}});
    return ok_json(json_response_text(json::object{{"object", "list"}, {"data", std::move(data)}}));
}

Response StubUpstream::chat(const Request& request) {
    m_chat_calls.fetch_add(1);
    auto doc = util::parse_json(request.body, "request body");
    if (!doc || !doc->is_object())
        return upstream_bad_json_error(m_style, doc ? "body is not an object" : doc.error().message);
    const auto& body = doc->as_object();
    const std::string model = jstr(*doc, "model").value_or("");
    const bool stream = jbool(*doc, "stream").value_or(false);
    const json::value* messages = jfind(*doc, "messages");
    if (!messages || !messages->is_array() || messages->as_array().empty()) {
        Response r;
        r.status = 400;
        r.body =
            m_style == "minimax"
                ? upstream_error_response("minimax_2013_400").body
                : R"({"error":{"message":"Invalid request: messages is required","type":"invalid_request_error","param":null,"code":"invalid_request_error"}})";
        return r;
    }
    // Role checks happen while deserialising, before any account or model logic, as on DeepSeek.
    std::size_t systems = 0;
    std::int64_t prompt_tokens = 0;
    const auto& arr = messages->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto role = jstr(arr[i], "role").value_or("");
        if (role == "developer" && m_style != "openai") return upstream_developer_role_error(m_style, i);
        if (role == "system") ++systems;
        if (auto content = jstr(arr[i], "content")) prompt_tokens += 1 + static_cast<std::int64_t>(content->size() / 4);
        prompt_tokens += 4;
    }
    if (m_style == "minimax" && systems > 1) return upstream_error_response("minimax_2013_400");
    if (!m_faults.chat_error.empty()) return upstream_error_response(m_faults.chat_error);
    if (!knows_model(model)) return upstream_error_response("deepseek_400_model_not_exist");
    if (stream && m_faults.transient_429_streams > 0) {
        std::lock_guard lock(m_mutex);
        int& seen = m_streams_per_key[m_key];
        if (seen < m_faults.transient_429_streams) {
            ++seen;
            return upstream_error_response(m_style == "minimax" ? "minimax_2056_429" : "rate_limit_429");
        }
    }
    (void)body;
    return completion(model, stream, prompt_tokens);
}

Response StubUpstream::completion(const std::string& model, bool stream, std::int64_t prompt_tokens) {
    const std::string id = "chatcmpl-" + util::random_hex(12);
    const std::int64_t created = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t completion_tokens = static_cast<std::int64_t>(k_pieces.size());
    json::object usage{{"prompt_tokens", prompt_tokens},
                       {"completion_tokens", completion_tokens},
                       {"total_tokens", prompt_tokens + completion_tokens}};
    if (m_style == "deepseek") {
        usage["prompt_cache_hit_tokens"] = 0;
        usage["prompt_cache_miss_tokens"] = prompt_tokens;
    }
    const UpstreamFaults faults = m_faults;
    if (faults.stream_mode == "keepalive_stall") {
        Response r;
        r.content_type = stream ? "text/event-stream" : "application/json";
        r.stream = [faults, stream](StreamWriter& w) {
            const std::string beat = stream ? ": keep-alive\n\n" : "\n";
            int elapsed = 0;
            while (elapsed < faults.stall_max_ms) {
                if (!w.write(beat)) return;
                if (!w.wait(std::chrono::milliseconds(faults.keepalive_interval_ms))) return;
                elapsed += faults.keepalive_interval_ms;
            }
        };
        return r;
    }
    if (!stream) {
        std::string text;
        for (auto p : k_pieces) text += p;
        json::object body{
            {"id", id},
            {"object", "chat.completion"},
            {"created", created},
            {"model", model},
            {"choices", json::array{json::object{{"index", 0},
                                                 {"message", json::object{{"role", "assistant"}, {"content", text}}},
                                                 {"finish_reason", "stop"}}}},
            {"usage", usage}};
        if (m_style == "deepseek") body["system_fingerprint"] = "fp_stub";
        if (m_style == "minimax") body["base_resp"] = json::object{{"status_code", 0}, {"status_msg", ""}};
        return ok_json(json::serialize(body));
    }
    Response r;
    r.content_type = "text/event-stream";
    const bool truncated = faults.stream_mode == "truncated";
    r.stream = [id, created, model, usage, truncated](StreamWriter& w) {
        auto chunk = [&](json::object delta, json::value finish, bool with_usage) {
            json::object c{{"id", id},
                           {"object", "chat.completion.chunk"},
                           {"created", created},
                           {"model", model},
                           {"choices", json::array{json::object{
                                           {"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}}}};
            if (with_usage) c["usage"] = usage;
            return "data: " + json::serialize(c) + "\n\n";
        };
        if (!w.write(chunk(json::object{{"role", "assistant"}, {"content", ""}}, nullptr, false))) return;
        for (auto p : k_pieces)
            if (!w.write(chunk(json::object{{"content", p}}, nullptr, false))) return;
        if (truncated) return;
        if (!w.write(chunk(json::object{}, "stop", true))) return;
        (void)w.write("data: [DONE]\n\n");
    };
    return r;
}

}  // namespace crm::stubs
