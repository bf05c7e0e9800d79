#pragma once
// The OpenAI-compatible smoke probes: GET /v1/models, POST /v1/chat/completions (non-stream and
// stream). The gateway probes (artifacts 09/10/11) call them with the user's key against the
// host; the upstream probes (17/19, probes/upstream) call them with the provider key against the
// provider base URL. Same payload both ways, so "upstream direct works, gateway fails" is a
// like-for-like comparison.
//
// Probes never fail: every outcome (HTTP error, error body, stalled stream, no answer) is
// recorded in the result, whose ok() says whether the smoke passed. The key is sent but never
// recorded (RequestSummary holds only the auth style).
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/http/probe_exchange.hpp"
#include "util/json.hpp"

namespace crm::probes::gateway {

struct ProbeTarget {
    std::string base_url;  // host URL, or provider base URL with or without /v1 (not doubled)
    std::string api_key;   // the user key / provider key; never recorded
    AuthStyle auth = AuthStyle::bearer;
    Timeouts timeouts{};
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    std::string target_kind = "gateway";  // recorded as RequestSummary::target
    const std::atomic<bool>* cancel = nullptr;
};

struct ModelsResult {
    ProbeExchange exchange;
    std::string expected_model;
    bool list_parsed = false;            // body had a `data` array
    std::vector<std::string> model_ids;  // `id` of every item, in order
    bool lists_expected = false;         // expected_model is among model_ids

    // 200, list parsed, expected model listed, no error body, no transport failure.
    [[nodiscard]] bool ok() const;
    // exchange.to_json() plus {probe:"models", expected_model, list_parsed, model_ids,
    // lists_expected, ok}
    [[nodiscard]] util::json::value to_json() const;
};

struct ChatResult {
    ProbeExchange exchange;
    std::string model;               // requested model
    bool completion_parsed = false;  // choices[0].message is an object (a chat completion)
    std::string response_model;      // the `model` the answer names
    std::string content;             // choices[0].message.content (capped at 2000 bytes)
    std::string finish_reason;
    std::optional<util::json::value> usage;

    // 200, a completion with choices, no error body (base_resp included), no transport failure.
    [[nodiscard]] bool ok() const;
    [[nodiscard]] util::json::value to_json() const;  // {probe:"chat", ...fields, ok, exchange}
};

struct ChatStreamResult {
    ProbeExchange exchange;  // response->body holds the raw stream (the 11-chat-stream.sse text)
    std::string model;
    bool usage_required = true;
    bool event_stream = false;      // Content-Type text/event-stream
    bool saw_done = false;          // a `data: [DONE]` event
    bool saw_usage = false;         // a chunk with a non-null `usage` object
    bool saw_error_event = false;   // `event: error`, or a data chunk carrying an error body
    bool stalled = false;           // idle watchdog fired (e.g. endless ": keep-alive")
    bool timed_out = false;         // total timeout while the stream was still running
    bool truncated = false;         // ended without [DONE] and without an error event, or mid-event
    std::uint64_t events = 0;       // dispatched SSE events, [DONE] included
    std::uint64_t comments = 0;     // ":" comment lines (keep-alives)
    std::uint64_t data_chunks = 0;  // JSON chunks (not [DONE], not errors)
    std::uint64_t events_after_done = 0;
    std::string content;  // concatenated choices[0].delta.content (capped at 2000 bytes)

    // 200 event stream, >= 1 chunk, [DONE], usage (when required), no error event, not stalled,
    // not timed out, not truncated, no transport failure.
    [[nodiscard]] bool ok() const;
    [[nodiscard]] util::json::value to_json() const;  // {probe:"chat_stream", ...flags, ok, exchange}
};

// GET {base}/v1/models.
[[nodiscard]] ModelsResult probe_models(HttpTransport& http, const ProbeTarget& target,
                                        std::string_view expected_model);

// POST {base}/v1/chat/completions with chat_request_body(model, false).
[[nodiscard]] ChatResult probe_chat(HttpTransport& http, const ProbeTarget& target, std::string_view model);

// POST {base}/v1/chat/completions with chat_request_body(model, true); the partial stream is
// kept when it stalls or is cut.
[[nodiscard]] ChatStreamResult probe_chat_stream(HttpTransport& http, const ProbeTarget& target, std::string_view model,
                                                 bool require_usage = true);

// {"model":M,"messages":[{"role":"user","content":"ping"}],"max_tokens":16}
// plus "stream":true,"stream_options":{"include_usage":true} when `stream`.
[[nodiscard]] std::string chat_request_body(std::string_view model, bool stream);

// Evaluates a complete or partial SSE body (exposed for tests and for re-reading artifacts).
// Fills every stream flag of `result` from `body`; `cut_short` is the transport's verdict.
void evaluate_stream(ChatStreamResult& result, std::string_view body, std::optional<util::ErrorCode> cut_short);

}  // namespace crm::probes::gateway
