#pragma once
// Fault profiles: JSON documents (stubs/profiles/*.json, embedded at build time) that switch on
// the *mechanism* behind a real incident, never a canned answer to one probe. A profile has two
// parts: what the stub host does differently (HostFaults) and what a stub upstream does
// differently (UpstreamFaults). Unknown keys are rejected so a typo cannot silently mean healthy.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::stubs {

struct HostFaults {
    bool compliance_gate = false;      // admin routes answer 423 until the phrase is accepted
    bool gateway_bearer_only = false;  // gateway ignores x-api-key / x-goog-api-key
    // The host bridges chat through a Responses-style rewrite: system messages become
    // `developer` and a developer instruction is prepended; upstream 4xx then fail over and end
    // as 502 upstream_error "Upstream request failed" (what sub2api does on that path).
    bool responses_bridge = false;
    // The host treats these accounts as `extra.openai_responses_mode: "force_responses"`: a chat
    // completion is sent to the upstream's /v1/responses with no Chat Completions fallback. An
    // upstream without that route answers 404, the host fails over without penalty and the client
    // gets 502 upstream_error "Upstream request failed"; /v1/models (model_mapping) is unaffected.
    bool force_responses = false;
    bool seed_residue = false;  // foreign groups/accounts/channels exist at start
    // The gateway reads the user key from x-api-key / x-goog-api-key only; a Bearer header is
    // ignored (401 API_KEY_REQUIRED when no other header carries the key).
    bool gateway_x_api_key_only = false;
    // Routes this host does not serve, as "METHOD /path" with numeric path segments written
    // ":id" ("POST /api/v1/admin/users/:id/api-keys"): Gin's default 404, text/plain
    // "404 page not found", before any auth. Host-wide.
    std::vector<std::string> routes_missing;
    // Routes a reverse proxy in front of the host answers itself, route -> 502 | 503 | 504, with
    // nginx's HTML error page (the request never reaches sub2api). Host-wide.
    std::map<std::string, int> proxy_errors;
    // Admin requests with this method ("POST", "DELETE"; "" = none) that succeed are applied at
    // once but answered only after admin_stall_ms, or when the stub stops: a host that hangs
    // after doing the work. admin_stall_count > 0 stalls only the first N. Run-wide only.
    std::string admin_stall_method;
    int admin_stall_ms = 0;
    int admin_stall_count = 0;
    // Only admin paths that start with this prefix stall ("" = every /api/v1/admin/ path), e.g.
    // "/api/v1/admin/users" holds a run inside its access closure, after its import.
    std::string admin_stall_path;
    // Every request the host serves (admin, public, gateway) is answered this much later: a host
    // that is one network round trip away. Run-wide only.
    int latency_ms = 0;
    friend bool operator==(const HostFaults&, const HostFaults&) = default;
};

struct UpstreamFaults {
    int latency_ms = 0;                  // added before every answer (models and chat)
    std::string chat_error;              // named provider-shaped error for chat ("" = none), see
                                         // upstream_error_names()
    std::string models_error;            // the same for GET /models
    std::string stream_mode = "normal";  // normal | truncated | keepalive_stall
    int stall_max_ms = 60000;            // keepalive_stall: close the stream after this long
    int keepalive_interval_ms = 500;
    int transient_429_streams = 0;  // the first N streamed chat calls per key get 429
    friend bool operator==(const UpstreamFaults&, const UpstreamFaults&) = default;
};

struct FaultProfile {
    std::string name;
    std::string description;
    HostFaults host;
    UpstreamFaults upstream;
    friend bool operator==(const FaultProfile&, const FaultProfile&) = default;
};

// Parses a profile document; `source` names it in errors. Fails with invalid_input.
[[nodiscard]] util::Result<FaultProfile> parse_profile(std::string_view text, std::string_view source);
[[nodiscard]] util::json::value profile_to_json(const FaultProfile& profile);

// The error names a profile may use for chat_error / models_error.
[[nodiscard]] const std::vector<std::string>& upstream_error_names();

}  // namespace crm::stubs
