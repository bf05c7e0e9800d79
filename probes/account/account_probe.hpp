#pragma once
// Host-side account probes, sent directly with `x-api-key: <admin key>` (no AdminClient needed):
//  - probe_account_test: POST /api/v1/admin/accounts/:id/test {"model_id":M} and its SSE answer
//    (`data: {"type":"test_start"|"status"|"content"|"test_complete"|"error", ...}` lines, no
//    `event:` field, HTTP 200 whatever the outcome) -> artifact 06;
//  - read_account: GET /api/v1/admin/accounts/:id -> the penalty/state fields -> artifact 12.
// Both never fail: outcomes (HTTP errors, envelopes, stalls) are recorded in the result.
// Extraction only: a transient 429 is *reported* (error_http_status == 429), never judged here.
#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probes/http/probe_exchange.hpp"
#include "util/json.hpp"

namespace crm::probes::account {

struct AdminTarget {
    std::string host_url;       // http(s)://host[:port]
    std::string admin_api_key;  // admin-<hex>; never recorded
    Timeouts timeouts{};
    const std::atomic<bool>* cancel = nullptr;
};

struct AccountTestEvent {
    std::string type;  // test_start | status | content | test_complete | error | ...
    std::string text;  // status / content text
    std::string model;
    std::optional<bool> success;  // test_complete
    std::string error;            // error events
    friend bool operator==(const AccountTestEvent&, const AccountTestEvent&) = default;
};

enum class AccountTestOutcome {
    passed,      // test_complete with success:true, and no error event
    failed,      // an error event, or test_complete with success:false
    incomplete,  // 200 stream that ended (or stalled) without test_complete / error
    http_error,  // non-200 answer (404 "Account not found", 401/423 admin rejections, ...)
    no_answer,   // transport failure before any answer
};

[[nodiscard]] const char* to_string(AccountTestOutcome outcome) noexcept;

struct AccountTestResult {
    ProbeExchange exchange;
    std::int64_t account_id = 0;
    std::string model_id;
    std::vector<AccountTestEvent> events;  // every parsed data: line, in order
    AccountTestOutcome outcome = AccountTestOutcome::no_answer;
    std::string error_message;          // the first error event's text (or test_complete error)
    int error_http_status = 0;          // "API returned 429: ..." / "... returned 402: ..." -> 429 / 402
    std::uint64_t unparsed_events = 0;  // data lines that were not JSON objects

    // {probe:"account_test", account_id, model_id, outcome, error_message, error_http_status,
    //  events:[{type,text,model,success?,error}], exchange}
    [[nodiscard]] util::json::value to_json() const;
};

[[nodiscard]] AccountTestResult probe_account_test(HttpTransport& http, const AdminTarget& target,
                                                   std::int64_t account_id, std::string_view model_id);

// Parses an account-test SSE body into `result` (events, outcome, error fields). Exposed for
// tests; probe_account_test calls it on 200 answers.
void evaluate_account_test(AccountTestResult& result, std::string_view body, std::optional<util::ErrorCode> cut_short);

// The numeric status in "... returned NNN" / "... returned NNN:" / "API returned NNN", else 0.
[[nodiscard]] int status_in_test_error(std::string_view message);

struct AccountState {
    std::int64_t id = 0;
    std::string name;
    std::string platform;
    std::string type;
    std::string status;  // active | inactive | error
    std::optional<bool> schedulable;
    std::string error_message;
    std::string temp_unschedulable_until;   // as text (RFC 3339 or unix seconds); "" when null
    std::string temp_unschedulable_reason;  // raw text (may be JSON-encoded TempUnschedState)
    std::string rate_limited_at;
    std::string rate_limit_reset_at;
    std::string overload_until;
    std::vector<std::int64_t> group_ids;

    // True when rate_limit_reset_at names an instant after `now_unix` (the host still holds the
    // account back after an upstream 429).
    [[nodiscard]] bool rate_limited(std::int64_t now_unix) const;
    friend bool operator==(const AccountState&, const AccountState&) = default;
};

// The instant a state time field names, in unix seconds: RFC 3339 ("2026-05-21T19:14:18Z",
// "...T19:14:18.123+08:00"; fractions dropped) or unix seconds as digits; nullopt for "" and
// anything else.
[[nodiscard]] std::optional<std::int64_t> state_time_unix(std::string_view text);

[[nodiscard]] util::json::value to_json(const AccountState& state);
// Reads the state fields from an account DTO (the envelope's `data`). Credentials are ignored.
[[nodiscard]] AccountState account_state_from_json(const util::json::value& dto);

struct AccountReadBack {
    ProbeExchange exchange;
    std::int64_t account_id = 0;
    std::optional<AccountState> state;  // set when the answer was a success envelope

    // {probe:"account_read", account_id, state|null, exchange}. The exchange body is left out
    // (only status/headers/error_info kept) so credentials the host might echo never reach the
    // artifact.
    [[nodiscard]] util::json::value to_json() const;
};

[[nodiscard]] AccountReadBack read_account(HttpTransport& http, const AdminTarget& target, std::int64_t account_id);

// read_account for each id, in order (artifact 12 holds them all).
[[nodiscard]] std::vector<AccountReadBack> read_accounts(HttpTransport& http, const AdminTarget& target,
                                                         std::span<const std::int64_t> ids);

}  // namespace crm::probes::account
