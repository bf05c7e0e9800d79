#pragma once
// What a sub2api host can do, as observed by AdminClient::probe_capabilities (artifact 02).
//
// Probes, in order (each one HTTP exchange, all read-only or rejected by validation):
//  1. GET /health                      -> healthy / draining / unreachable
//  2. GET /api/v1/settings/public      -> version, backend_mode_enabled
//  3. GET /api/v1/admin/compliance     -> gate state; 401/403 here means admin auth failed;
//                                         404 means a host without the gate (pre-2026)
//  4. GET /api/v1/admin/system/version -> admin auth works end to end (accepts the gate when
//                                         allowed, so `compliance` may end up `accepted`)
//  5. GET /api/v1/admin/channels?page=1&page_size=1 -> 200 channels supported, 404 not
//  6. POST /api/v1/admin/users/0/api-keys with {} -> fork key route present when the fork's
//     handler answered: a handler envelope {code:<int>,...} with 400 (the empty body fails
//     validation) or a 404 that carries a `reason` (user 0 never exists), so nothing is ever
//     created; absent for gin's text "404 page not found" (U has no NoRoute handler), a bare
//     {code:404,"route not found"} catch-all, 405, an SPA or proxy page.
//     Without the fork route, keys are created by user login + POST /api/v1/keys, unless
//     backend mode is on (user logins refused) -> key_route unavailable.
//  7. platforms: there is no platforms endpoint; the list is sub2api's documented
//     group-platform enum for the detected version, with `platforms_source` saying so.
#include <string>
#include <vector>

#include "probes/http/transport.hpp"
#include "util/json.hpp"

namespace crm::probes::sub2api {

enum class ComplianceState { unknown, not_present, not_required, required, accepted };
enum class KeyRoute { unknown, admin_fork_route, user_login, unavailable };

[[nodiscard]] const char* to_string(ComplianceState s) noexcept;
[[nodiscard]] const char* to_string(KeyRoute r) noexcept;

struct HostCapabilities {
    std::string base_url;
    bool reachable = false;
    std::string health_status;  // "ok", "draining", ... or the error
    std::string version;        // settings/public data.version ("" when unknown)
    bool backend_mode_enabled = false;
    std::string admin_auth_mode;  // "api_key" | "login"
    bool admin_auth_ok = false;
    std::string admin_auth_error;  // one line, scrubbed; empty when ok
    std::string admin_auth_code;   // the host's code for that error (Error::remote_code), or ""
    // The host judged the credentials and refused them (401/403 on an admin route, or the 423
    // compliance gate). False when the failure says nothing about them: a page, a non-envelope
    // body, a 5xx — the URL may not be a sub2api admin API at all.
    bool admin_auth_refused = false;
    ComplianceState compliance = ComplianceState::unknown;
    std::string compliance_version;
    bool compliance_accepted_now = false;  // this probe accepted the gate
    bool channels_supported = false;
    KeyRoute key_route = KeyRoute::unknown;
    std::string key_route_evidence;  // e.g. "POST /api/v1/admin/users/0/api-keys -> 404 USER_NOT_FOUND"
    std::vector<std::string> platforms;
    std::string platforms_source;
    friend bool operator==(const HostCapabilities&, const HostCapabilities&) = default;

    // Secret-free JSON for 02-host-capabilities.json (schema_version 1).
    [[nodiscard]] boost::json::value to_json() const;
};

// Group platforms the reference documents for a host `version` ("0.1.179", "v0.1.179", the
// fork's "1.8.170"). `fork` (admin key route present) adds the fork's platforms; `legacy` (no
// channels, no compliance gate: the Dec-2025 line) gives the old three. Fills `source` with
// where the list comes from.
// Step 6 as a pure rule: did the answer to POST /api/v1/admin/users/0/api-keys {} come from the
// fork's key-creation handler?
[[nodiscard]] bool is_fork_key_route_answer(const HttpResponse& answer);

[[nodiscard]] std::vector<std::string> platforms_for_version(std::string_view version, bool fork, bool legacy,
                                                             std::string& source);

}  // namespace crm::probes::sub2api
