#pragma once
// What the runner saw in one cell, as plain values: the classifier's only input. The runner fills
// these from the probes' results; nothing here knows about HTTP clients or probe types.
//
// "Not observed" is the default everywhere: `attempted == false` / `read == false` / `ran ==
// false` for a step that was skipped or never reached, empty strings and std::nullopt for fields
// the step did not produce. The rule table (rules/causes.json) addresses these fields by dotted
// path ("chat.status", "upstream_chat.error_code", "accounts.temp_unschedulable_reason"); the
// JSON view (observations_json.hpp) lists every path, including the derived ones.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm::harness::classify {

// One HTTP exchange, normalised. The error fields come from the body first (probes/envelope's
// ErrorInfo): OpenAI {error:{type,code,message}}, sub2api flat {code,message}, Anthropic-style
// {type:"error",error:{...}}, MiniMax {base_resp:{status_code,status_msg}} at HTTP 200, ...
struct HttpObservation {
    bool attempted = false;        // false: step skipped or not reached
    std::string transport_error;   // "" | connect_failed | tls | timeout | stalled | too_large | protocol
    std::string transport_detail;  // the transport's one line, e.g. "stalled: no payload bytes for 2000 ms"
    std::optional<int> status;     // HTTP status, when an answer arrived
    // For a 2xx answer: did the body parse as the payload the probe asked for (a chat completion
    // with choices, a model list)? false makes the exchange failed whatever the status said (a
    // proxy page, "OK", truncated JSON); nullopt: not checked (not 2xx, or a stream).
    std::optional<bool> payload_parsed;
    std::string error_shape;    // "" (no error body) | openai | flat_code | anthropic | base_resp | ...
    std::string error_type;     // e.g. upstream_error, exceeded_current_quota_error
    std::string error_code;     // e.g. insufficient_user_quota, INSUFFICIENT_BALANCE, "1113"
    std::string error_message;  // e.g. "Upstream request failed"
    std::string vendor_code;    // provider numeric code: MiniMax base_resp / "(NNNN)", SiliconFlow 30011
    std::string body_excerpt;   // the first bytes of the body (already scrubbed)
    std::string artifact;       // the artifact that holds the exchange, e.g. "10-chat.json"

    friend bool operator==(const HttpObservation&, const HttpObservation&) = default;
};

// A streamed completion (11-chat-stream): the HTTP status plus what the SSE framing showed.
struct StreamObservation : HttpObservation {
    bool saw_done = false;         // "data: [DONE]" arrived
    bool saw_usage = false;        // a chunk carried usage
    bool saw_error_event = false;  // "event: error" (or a data chunk with an error object)
    std::string error_event_type;
    std::string error_event_message;
    bool stalled = false;        // idle watchdog fired
    bool truncated = false;      // body ended without [DONE]
    int chunks = 0;              // data chunks with content
    int keepalive_comments = 0;  // ": keep-alive" comment lines seen

    friend bool operator==(const StreamObservation&, const StreamObservation&) = default;
};

// Gateway GET /v1/models (09) or upstream GET /models (17).
struct ModelsObservation : HttpObservation {
    std::optional<bool> listed_smoke_model;  // nullopt: not checked (no 2xx list)
    std::vector<std::string> model_ids;

    friend bool operator==(const ModelsObservation&, const ModelsObservation&) = default;
};

// POST /api/v1/admin/accounts/:id/test over the provider's accounts (06), summarised: the worst
// outcome wins (error > rate_limited > success).
struct AccountTestObservation {
    bool attempted = false;
    std::string outcome;     // "" | success | error | rate_limited
    std::string error_text;  // the "error" event text(s), joined with " | "
    std::string artifact = "06-account-probe.json";

    friend bool operator==(const AccountTestObservation&, const AccountTestObservation&) = default;
};

// Host read-back of the provider's accounts after the probes (12), summarised over accounts.
struct AccountStateObservation {
    bool read = false;
    int count = 0;
    std::string status;               // worst status: error > inactive > active
    std::optional<bool> schedulable;  // true only when every account is schedulable
    int unschedulable_count = 0;
    int rate_limited_count = 0;             // accounts with rate_limit_reset_at in the future
    std::string temp_unschedulable_reason;  // every non-empty reason, joined with " | "
    std::string error_message;              // every non-empty error_message, joined with " | "
    std::string artifact = "12-accounts-state.json";

    friend bool operator==(const AccountStateObservation&, const AccountStateObservation&) = default;
};

// What the engine and the host's admin API said (01, 02, 05, 07, 08).
struct EngineObservation {
    std::string harness_error;          // the toolkit failed or the scenario/pack is invalid
    std::string host_probe_error_code;  // "" | connect_failed | tls | timeout | dns ... on /health
    std::optional<int> host_probe_status;
    // What /health answered, one line: the transport's line, or "HTTP 502 text/html: <excerpt>"
    // for an answer that is not sub2api's {"status":"ok"}.
    std::string host_probe_detail;
    std::optional<bool> admin_rejected;  // admin auth failed / compliance gate not accepted
    std::string admin_error_code;        // INVALID_ADMIN_KEY | ADMIN_COMPLIANCE_ACK_REQUIRED | ...
    // The host URL answered the admin API, but not as a sub2api admin API and not with a refusal
    // (200 non-JSON body, JSON that is no envelope, a 5xx): the probe's one line, else "".
    std::string admin_api_error;
    std::string import_status;         // the engine's import step: "" | succeeded | failed
    std::string batch_status;          // pending | running | succeeded | failed | rolled_back | ...
    std::string provider_status;       // active | inactive | broken
    std::string access_status;         // none | self_service_ready | subscription_ready | broken
    std::string latest_access_status;  // fully_ready | partially_ready | not_ready
    std::optional<bool> engine_claimed_ready;
    int resources_missing_on_host = 0;  // batch says created, host read-back lacks them
    std::optional<bool> binding_wrong;  // key bound to the wrong group, account platform != group
    std::string invariant_violation;    // any other broken engine invariant, one line
    std::string engine_error;           // the engine's own error message for a failed step
    // Read-backs the cause does not rest on (08 mode state, 12 accounts, 13 reconcile) that
    // failed: "<step>: <the host's answer>", joined with " | ". Reported as a note.
    std::string read_back_error;
    std::string user_source;        // "" | engine | operator (operator-supplied ordinary user)
    std::string access_error_code;  // e.g. INSUFFICIENT_BALANCE, SUBSCRIPTION_NOT_FOUND
    std::optional<int> access_error_status;
    std::string access_error_message;

    friend bool operator==(const EngineObservation&, const EngineObservation&) = default;
};

struct ReconcileObservation {
    bool ran = false;
    std::string status;         // in_sync | drifted
    int owned_drift_count = 0;  // resources of this batch missing or modified
    int residue_count = 0;      // foreign resources in the same scope
    std::string artifact = "13-reconcile.json";

    friend bool operator==(const ReconcileObservation&, const ReconcileObservation&) = default;
};

struct RollbackObservation {
    bool ran = false;
    std::string status;       // rolled_back | rollback_failed
    int remaining_owned = 0;  // owned resources still on the host after rollback
    std::string error;        // why rollback failed, when it did (the host's answer)
    std::string artifact = "20-rollback.json";

    friend bool operator==(const RollbackObservation&, const RollbackObservation&) = default;
};

// Everything observed for one cell (mode x provider).
struct CellObservations {
    std::string mode;  // self_service | subscription
    std::string provider;
    std::string smoke_model;
    bool stream_enabled = true;

    EngineObservation engine;
    AccountTestObservation account_test;
    AccountStateObservation accounts;
    ModelsObservation models;           // 09 gateway /v1/models, Authorization: Bearer
    HttpObservation chat;               // 10 gateway completion, Authorization: Bearer
    StreamObservation chat_stream;      // 11 gateway stream, Authorization: Bearer
    HttpObservation chat_alt_auth;      // 10 variant: the same completion with x-api-key
    ModelsObservation upstream_models;  // 17 upstream GET /models with the provider key
    HttpObservation upstream_chat;      // 19 upstream POST /chat/completions, same payload as 10
    ReconcileObservation reconcile;
    RollbackObservation rollback;

    friend bool operator==(const CellObservations&, const CellObservations&) = default;
};

}  // namespace crm::harness::classify
