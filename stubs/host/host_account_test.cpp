// POST /api/v1/admin/accounts/:id/test: an SSE report of a real streamed call to the account's
// upstream. HTTP 200 whatever the outcome; "Account not found" is answered before any SSE.
#include "stubs/host/host_app.hpp"
#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"
#include "stubs/http/http_client.hpp"

namespace crm::stubs {

using namespace hostwire;

namespace {

void send_event(StreamWriter& w, const json::object& event) {
    (void)w.write("data: " + json::serialize(event) + "\n\n");
}

struct TestTarget {
    std::string platform, base_url, api_key, model, prompt, responses_mode;
    json::value mapping;
};

}  // namespace

Response HostApp::account_test(std::int64_t id, const Request& req) {
    Response err;
    auto body = parse_object(req, err, true);
    if (!body) return err;
    TestTarget t;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_accounts.find(id);
        if (it == m_accounts.end()) return error(404, "Account not found", "ACCOUNT_NOT_FOUND");
        const auto& a = it->second;
        t.platform = jstr(a, "platform").value_or("");
        if (auto c = jfind(a, "credentials"); c && c->is_object()) {
            t.base_url = jstr(*c, "base_url").value_or("");
            t.api_key = jstr(*c, "api_key").value_or("");
            if (auto mm = jfind(*c, "model_mapping")) t.mapping = *mm;
        }
        t.responses_mode =
            jpath(a, "extra.openai_responses_mode") && jpath(a, "extra.openai_responses_mode")->is_string()
                ? std::string(jpath(a, "extra.openai_responses_mode")->as_string())
                : "auto";
        // A host-side force_responses fault (models_only) puts the account in that mode whatever
        // its extra says, exactly as the gateway path treats it.
        if (effective_faults(a).force_responses) t.responses_mode = "force_responses";
    }
    t.model = jstr(*body, "model_id").value_or("");
    if (t.model.empty()) t.model = t.platform == "anthropic" ? "claude-sonnet-4-5-20250929" : "gpt-5.4";
    t.prompt = jstr(*body, "prompt").value_or("hi");
    if (t.prompt.empty()) t.prompt = "hi";

    Response r;
    r.content_type = "text/event-stream";
    r.stream = [this, id, t](StreamWriter& w) {
        auto fail = [&](const std::string& message) {
            send_event(w, json::object{{"type", "error"}, {"error", message}});
        };
        const std::string mapped = wire::map_model(&t.mapping, t.model).value_or(t.model);
        send_event(w, json::object{{"type", "test_start"}, {"model", mapped}});
        if (t.api_key.empty()) return fail("No API key available");
        auto parsed = parse_http_url(t.base_url);
        if (!parsed) return fail("Invalid base URL: " + t.base_url);
        // OpenAI-platform API-key accounts are tested on /v1/responses until Chat Completions is
        // forced; the test does not fall back (unlike the gateway).
        const bool responses = t.responses_mode == "force_responses" ||
                               (t.platform == "openai" && t.responses_mode != "force_chat_completions");
        std::string url = wire::chat_url(t.base_url);
        std::string api = "Chat Completions API (/v1/chat/completions)";
        if (responses) {
            url = url.substr(0, url.size() - std::string("/chat/completions").size()) + "/responses";
            api = "Responses API (/v1/responses)";
        }
        send_event(w, json::object{{"type", "status"},
                                   {"text", responses ? "正在通过 /v1/responses 测试连接"
                                                      : "正在通过 /v1/chat/completions 测试连接"}});
        json::object payload{{"model", mapped}, {"stream", true}};
        if (responses)
            payload["input"] = t.prompt;
        else
            payload["messages"] = json::array{json::object{{"role", "user"}, {"content", t.prompt}}};
        std::string pending;
        bool done = false, client_gone = false;
        int status = 0;
        std::string error_body;
        ClientRequest call;
        call.method = "POST";
        call.cancel = &m_stopping;
        call.url = url;
        call.headers = {{"Authorization", "Bearer " + t.api_key},
                        {"Content-Type", "application/json"},
                        {"Accept", "text/event-stream"}};
        call.body = json::serialize(payload);
        call.timeout = std::chrono::milliseconds(120000);
        call.on_headers = [&](const ClientReply& head) { status = head.status; };
        call.on_chunk = [&](std::string_view chunk) {
            if (status != 200) {
                error_body.append(chunk.substr(0, std::min<std::size_t>(chunk.size(), 4096)));
                return true;
            }
            pending.append(chunk);
            std::size_t nl;
            while ((nl = pending.find('\n')) != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (!line.starts_with("data:")) continue;
                std::string data = line.substr(5);
                if (!data.empty() && data.front() == ' ') data.erase(0, 1);
                if (data == "[DONE]") {
                    done = true;
                    continue;
                }
                auto doc = util::parse_json(data, "sse");
                if (!doc) continue;
                if (auto c = jpath(*doc, "choices"); c && c->is_array() && !c->as_array().empty()) {
                    if (auto text = jpath(c->as_array()[0], "delta.content");
                        text && text->is_string() && !text->as_string().empty()) {
                        send_event(w, json::object{{"type", "content"}, {"text", text->as_string()}});
                        if (!w.write("")) client_gone = true;
                    }
                }
            }
            return !client_gone;
        };
        auto reply = http_call(call, &m_upstream_pool);
        if (client_gone) return;
        if (!reply) return fail("Request failed: " + reply.error().message);
        if (reply->status != 200) {
            penalize(id, reply->status, error_body, reply->headers, true);
            return fail(api + " returned " + std::to_string(reply->status) + ": " + error_body);
        }
        if (!done) {
            // A 200 that is not SSE may carry a MiniMax base_resp error.
            auto doc = util::parse_json(pending, "upstream");
            if (doc) {
                if (auto code = jpath(*doc, "base_resp.status_code"); code && code->is_int64() && code->as_int64() != 0)
                    return fail("API returned error: " + jstr(*jfind(*doc, "base_resp"), "status_msg").value_or(""));
            }
            return fail(api + " stream ended before [DONE]");
        }
        recover_after_test(id);
        send_event(w, json::object{{"type", "test_complete"}, {"success", true}});
    };
    return r;
}

}  // namespace crm::stubs
