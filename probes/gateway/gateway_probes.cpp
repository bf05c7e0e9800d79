// Why the stream verdict is computed from the recorded body rather than on the fly: the body is
// the artifact (11-chat-stream.sse), so the flags in 11-chat-stream.json can always be
// re-derived from it, and the partial body of a stalled stream is judged by the same code.
#include "probes/gateway/gateway_probes.hpp"

#include "probes/envelope/body_parser.hpp"
#include "probes/sse/sse_parser.hpp"

namespace crm::probes::gateway {
namespace {

namespace json = util::json;
using envelope::to_valid_utf8;

constexpr std::size_t k_content_cap = 2000;

HttpRequest base_request(const ProbeTarget& target, std::string method, std::string_view path) {
    HttpRequest req;
    req.method = std::move(method);
    req.url = join_api_url(target.base_url, path);
    req.timeouts = target.timeouts;
    req.max_response_bytes = target.max_response_bytes;
    req.cancel = target.cancel;
    add_auth_header(req.headers, target.auth, target.api_key);
    req.headers.emplace_back("Accept", "application/json");
    return req;
}

RequestSummary summary_of(const ProbeTarget& target, const HttpRequest& req) {
    return RequestSummary{target.target_kind, req.method, req.url, target.auth, req.body};
}

void append_capped(std::string& out, std::string_view text) {
    if (out.size() < k_content_cap) {
        out.append(text.substr(0, k_content_cap - out.size()));
    }
}

const json::value* first_choice(const json::value& doc) {
    const json::value* choices = util::find(doc, "choices");
    if (choices == nullptr || !choices->is_array() || choices->as_array().empty()) {
        return nullptr;
    }
    return &choices->as_array().front();
}

bool transport_ok(const ProbeExchange& ex) { return ex.answered() && !ex.failure(); }

json::value string_array(const std::vector<std::string>& items) {
    json::array a;
    for (const auto& s : items) {
        a.emplace_back(s);
    }
    return a;
}

}  // namespace

std::string chat_request_body(std::string_view model, bool stream) {
    json::object body;
    body["model"] = model;
    body["messages"] = json::array{json::object{{"role", "user"}, {"content", "ping"}}};
    body["max_tokens"] = 16;
    if (stream) {
        body["stream"] = true;
        body["stream_options"] = json::object{{"include_usage", true}};
    }
    return json::serialize(body);
}

// ---- models ----------------------------------------------------------------------------------

bool ModelsResult::ok() const {
    return answer_ok({transport_ok(exchange), exchange.status(), exchange.error_info.has_value(), list_parsed}) &&
           lists_expected;
}

json::value ModelsResult::to_json() const {
    return json::object{{"probe", "models"},
                        {"ok", ok()},
                        {"expected_model", expected_model},
                        {"list_parsed", list_parsed},
                        {"lists_expected", lists_expected},
                        {"model_ids", string_array(model_ids)},
                        {"exchange", exchange.to_json()}};
}

ModelsResult probe_models(HttpTransport& http, const ProbeTarget& target, std::string_view expected_model) {
    ModelsResult result;
    result.expected_model = expected_model;
    const HttpRequest req = base_request(target, "GET", "/v1/models");
    result.exchange = run_exchange(http, req, summary_of(target, req));
    if (!result.exchange.answered()) {
        return result;
    }
    const auto parsed = envelope::parse_body(result.exchange.response->body, result.exchange.status());
    if (!parsed.json) {
        return result;
    }
    const json::value* data = util::find(*parsed.json, "data");
    if (data == nullptr || !data->is_array()) {
        return result;
    }
    result.list_parsed = true;
    for (const json::value& item : data->as_array()) {
        if (auto id = util::get_string(item, "id")) {
            result.model_ids.push_back(to_valid_utf8(*id, 512));
        } else if (item.is_string()) {
            result.model_ids.push_back(to_valid_utf8(item.get_string(), 512));
        }
    }
    result.lists_expected =
        std::find(result.model_ids.begin(), result.model_ids.end(), expected_model) != result.model_ids.end();
    return result;
}

// ---- chat (non-stream) -----------------------------------------------------------------------

bool ChatResult::ok() const {
    return answer_ok({transport_ok(exchange), exchange.status(), exchange.error_info.has_value(), completion_parsed});
}

json::value ChatResult::to_json() const {
    return json::object{{"probe", "chat"},
                        {"ok", ok()},
                        {"model", model},
                        {"completion_parsed", completion_parsed},
                        {"response_model", response_model},
                        {"content", content},
                        {"finish_reason", finish_reason},
                        {"usage", usage ? *usage : json::value(nullptr)},
                        {"exchange", exchange.to_json()}};
}

ChatResult probe_chat(HttpTransport& http, const ProbeTarget& target, std::string_view model) {
    ChatResult result;
    result.model = model;
    HttpRequest req = base_request(target, "POST", "/v1/chat/completions");
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = chat_request_body(model, false);
    result.exchange = run_exchange(http, req, summary_of(target, req));
    if (!result.exchange.answered()) {
        return result;
    }
    const auto parsed = envelope::parse_body(result.exchange.response->body, result.exchange.status());
    if (!parsed.json) {
        return result;
    }
    const json::value& doc = *parsed.json;
    // A completion is choices[0].message: "choices":[{}] or a legacy {"text":...} choice is not a
    // chat answer, whatever the status said.
    const json::value* choice = first_choice(doc);
    const json::value* message = choice != nullptr ? util::find(*choice, "message") : nullptr;
    if (message != nullptr && message->is_object()) {
        result.completion_parsed = true;
        if (auto text = util::get_string(*message, "content")) {
            append_capped(result.content, to_valid_utf8(*text, k_content_cap));
        }
        result.finish_reason = util::get_string(*choice, "finish_reason").value_or("");
    }
    result.response_model = to_valid_utf8(util::get_string(doc, "model").value_or(""), 512);
    if (const json::value* usage = util::find(doc, "usage"); usage && usage->is_object()) {
        result.usage = *usage;
    }
    return result;
}

// ---- chat (stream) ---------------------------------------------------------------------------

bool ChatStreamResult::ok() const {
    const bool whole = exchange.answered() && !exchange.transport_error;
    return answer_ok({whole, exchange.status(), exchange.error_info.has_value(), event_stream && data_chunks > 0}) &&
           saw_done && (saw_usage || !usage_required) && !saw_error_event && !stalled && !timed_out && !truncated;
}

json::value ChatStreamResult::to_json() const {
    return json::object{{"probe", "chat_stream"},
                        {"ok", ok()},
                        {"model", model},
                        {"usage_required", usage_required},
                        {"event_stream", event_stream},
                        {"saw_done", saw_done},
                        {"saw_usage", saw_usage},
                        {"saw_error_event", saw_error_event},
                        {"stalled", stalled},
                        {"timed_out", timed_out},
                        {"truncated", truncated},
                        {"events", events},
                        {"comments", comments},
                        {"data_chunks", data_chunks},
                        {"events_after_done", events_after_done},
                        {"content", content},
                        {"exchange", exchange.to_json()}};
}

void evaluate_stream(ChatStreamResult& result, std::string_view body, std::optional<util::ErrorCode> cut_short) {
    sse::SseParser parser;
    parser.feed(body);
    parser.finish();
    const auto& stats = parser.stats();
    result.events = stats.events;
    result.comments = stats.comments;
    result.saw_done = stats.done_seen;
    result.events_after_done = stats.data_after_done;
    result.stalled = cut_short == util::ErrorCode::stalled;
    result.timed_out = cut_short == util::ErrorCode::timeout;
    for (const sse::SseEvent& ev : parser.take_events()) {
        if (ev.data == "[DONE]") {
            continue;
        }
        boost::system::error_code ec;
        json::value doc = json::parse(ev.data, ec);
        std::optional<envelope::ErrorInfo> err;
        if (!ec) {
            err = envelope::extract_error_json(doc, 0);
        }
        if (ev.type == "error" && !err) {
            err = envelope::ErrorInfo{};
            err->shape = ec ? envelope::BodyShape::text : envelope::json_shape(doc);
            err->message = to_valid_utf8(ev.data, 2000);
        }
        if (err) {
            if (!result.saw_error_event) {
                result.saw_error_event = true;
                if (!result.exchange.error_info) {
                    result.exchange.error_info = std::move(err);
                }
            }
            continue;
        }
        if (ec) {
            continue;  // neither JSON nor an error: ignored, visible in the .sse artifact
        }
        ++result.data_chunks;
        if (const json::value* usage = util::find(doc, "usage"); usage && usage->is_object()) {
            result.saw_usage = true;
        }
        if (const json::value* choice = first_choice(doc)) {
            if (const json::value* delta = util::find(*choice, "delta")) {
                if (auto text = util::get_string(*delta, "content")) {
                    append_capped(result.content, to_valid_utf8(*text, k_content_cap));
                }
            }
        }
    }
    const bool broken = cut_short && !result.stalled && !result.timed_out;
    result.truncated = !result.stalled && !result.timed_out && !result.saw_error_event &&
                       (!result.saw_done || stats.truncated_event || broken);
}

ChatStreamResult probe_chat_stream(HttpTransport& http, const ProbeTarget& target, std::string_view model,
                                   bool require_usage) {
    ChatStreamResult result;
    result.model = model;
    result.usage_required = require_usage;
    HttpRequest req = base_request(target, "POST", "/v1/chat/completions");
    req.headers.back() = {"Accept", "text/event-stream"};
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = chat_request_body(model, true);
    req.keep_partial = true;
    result.exchange = run_exchange(http, req, summary_of(target, req));
    if (!result.exchange.answered()) {
        result.stalled = result.exchange.failure() == util::ErrorCode::stalled;
        result.timed_out = result.exchange.failure() == util::ErrorCode::timeout;
        return result;
    }
    const HttpResponse& resp = *result.exchange.response;
    const auto content_type = resp.header("content-type").value_or("");
    result.event_stream = content_type.find("text/event-stream") != std::string::npos;
    if (resp.status != 200) {
        return result;  // the error body is already in exchange.error_info
    }
    if (!result.event_stream && result.exchange.error_info) {
        return result;  // a 200 JSON error body (one-api style, MiniMax base_resp)
    }
    evaluate_stream(result, resp.body, resp.cut_short);
    return result;
}

}  // namespace crm::probes::gateway
