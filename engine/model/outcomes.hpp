#pragma once
// The results of engine operations, as plain values. Each has to_json(): secret-free JSON
// (schema_version 1) for the numbered artifacts — 04 preview, 05 import, 07 access status,
// 13 reconcile, 20 rollback — and for `crm-accept engine ... --json`. No user password, API key,
// upstream key or JWT ever appears in them: keys are referred to by host id only. Read back by
// outcomes_json.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/status.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::engine {

namespace json = boost::json;

// One host resource the engine plans to create (04) or created (05).
struct PlannedResource {
    ResourceKind kind = ResourceKind::group;
    std::string name;
    std::optional<AccessMode> mode;
    json::object body;  // the create body, secret-free (api_key shown as the key source)
    friend bool operator==(const PlannedResource&, const PlannedResource&) = default;
};

struct ImportPlan {
    std::string host_url;
    std::string pack_id;
    std::string pack_version;
    std::string provider;
    std::string platform;
    std::string name_prefix;
    std::vector<AccessMode> modes;
    std::vector<PlannedResource> resources;  // in creation order
    std::vector<std::string> warnings;       // e.g. foreign resources already in scope
    // The warning whose cause is an answer that is not the sub2api API (ErrorCode::protocol: a
    // proxy page, Gin's text 404), "" when none.
    std::string foreign_answer;
    friend bool operator==(const ImportPlan&, const ImportPlan&) = default;
    [[nodiscard]] json::value to_json() const;
};

struct ResourceView {
    ResourceKind kind = ResourceKind::group;
    std::string name;
    std::optional<AccessMode> mode;
    std::optional<std::int64_t> host_id;
    ResourceState state = ResourceState::intent;
    std::string error;
    friend bool operator==(const ResourceView&, const ResourceView&) = default;
    [[nodiscard]] json::value to_json() const;
};

struct ImportOutcome {
    std::int64_t batch_id = 0;
    BatchStatus batch_status = BatchStatus::pending;
    ProviderStatus provider_status = ProviderStatus::inactive;
    std::string provider;  // pack/name
    std::string platform;
    std::string name_prefix;
    std::vector<AccessMode> modes;
    std::vector<ResourceView> resources;
    std::string error;  // one line when batch_status is failed
    // The code of the error behind `error` ("error_code" in to_json when set), so a reader of the
    // JSON (the control plane's client) tells a foreign answer from a host error as the runner does.
    std::optional<util::ErrorCode> error_code;
    [[nodiscard]] json::value to_json() const;
};

struct ReadyCheck {
    bool models_listed = false;  // /v1/models lists smoke_test_model
    int models_status = 0;
    bool chat_ok = false;  // non-stream completion succeeded
    int chat_status = 0;
    std::optional<bool> stream_ok;  // when the stream variant was checked
    std::string detail;             // one line: why not ready
    [[nodiscard]] bool ready() const { return models_listed && chat_ok && stream_ok.value_or(true); }
    [[nodiscard]] json::value to_json() const;
};

struct AccountTestResult {
    std::int64_t account_id = 0;
    bool success = false;
    bool advisory = false;  // a transient 429: does not downgrade access
    std::string detail;
    [[nodiscard]] json::value to_json() const;
};

struct AccessOutcome {
    std::int64_t batch_id = 0;
    AccessMode mode = AccessMode::self_service;
    AccessStatus access_status = AccessStatus::none;
    LatestAccessStatus latest_access_status = LatestAccessStatus::not_ready;
    bool managed_user = true;
    std::optional<std::int64_t> user_id;
    std::optional<std::int64_t> group_id;
    std::optional<std::int64_t> key_id;
    std::optional<std::int64_t> subscription_id;
    std::string key_route;  // admin_fork_route | user_login
    std::string api_key;    // registered secret; NEVER serialised by to_json
    std::string smoke_test_model;
    ReadyCheck ready;
    std::vector<AccountTestResult> account_tests;
    std::string error;                          // one line when not ready
    std::optional<util::ErrorCode> error_code;  // the code of the error behind `error`, if one did
    [[nodiscard]] json::value to_json() const;
};

struct DriftItem {
    ResourceKind kind = ResourceKind::group;
    std::string name;
    std::optional<std::int64_t> host_id;
    std::string issue;   // missing | modified
    std::string detail;  // which field, expected vs found (secret-free)
    friend bool operator==(const DriftItem&, const DriftItem&) = default;
    [[nodiscard]] json::value to_json() const;
};

struct ResidueItem {
    ResourceKind kind = ResourceKind::group;
    std::int64_t host_id = 0;
    std::string name;
    std::string platform;
    friend bool operator==(const ResidueItem&, const ResidueItem&) = default;
    [[nodiscard]] json::value to_json() const;
};

struct ReconcileOutcome {
    std::int64_t batch_id = 0;
    std::string status;  // in_sync | drifted
    std::vector<DriftItem> drift;
    std::vector<ResidueItem> residue;
    std::size_t owned_checked = 0;
    [[nodiscard]] json::value to_json() const;
};

// Balance the engine added to an operator's reused user, and how much rollback took back.
struct CreditView {
    AccessMode mode = AccessMode::self_service;
    std::string user_email;
    double amount = 0;
    double taken_back = 0;
    std::string state;  // intent | applied | absent | taken_back | take_back_failed
    std::string error;  // or a note, e.g. that the probes spent part of it
    friend bool operator==(const CreditView&, const CreditView&) = default;
    [[nodiscard]] json::value to_json() const;
};

struct RollbackOutcome {
    std::int64_t batch_id = 0;
    BatchStatus batch_status = BatchStatus::failed;
    std::vector<ResourceView> resources;      // after rollback
    std::vector<ResourceView> remaining;      // owned resources the read-back still found
    std::vector<CreditView> balance_credits;  // reused users' top-ups and their take-back
    std::size_t host_checks = 0;              // read-back calls made
    std::string error;
    [[nodiscard]] json::value to_json() const;
};

// Something recover was responsible for that the host read-back still shows (or could not
// check): an owned resource, or balance not taken back from a reused user.
struct Leftover {
    std::int64_t batch_id = 0;
    std::string what;  // a resource kind (group, account, ...) or "balance_credit"
    std::string name;  // resource name, user email for credits
    std::optional<std::int64_t> host_id;
    std::string detail;  // why it counts: "still on the host", "read-back failed: ..."
    friend bool operator==(const Leftover&, const Leftover&) = default;
    [[nodiscard]] json::value to_json() const;
    [[nodiscard]] std::string line() const;  // "batch 3: group crm-ab-1s-deepseek-std (id 7): still on the host"
};

struct RecoverOutcome {
    std::size_t intents_resolved = 0;
    std::size_t intents_found_on_host = 0;
    std::vector<std::int64_t> batches_rolled_back;
    std::vector<std::int64_t> batches_failed;  // rollback_failed after recover
    std::vector<std::int64_t> batches_kept;    // installed providers (no owner run) left in place
    std::vector<Leftover> remaining;           // what the read-back still found; empty when clean
    std::vector<std::string> notes;
    [[nodiscard]] bool clean() const { return batches_failed.empty() && remaining.empty(); }
    [[nodiscard]] json::value to_json() const;
};

struct BatchReport {
    std::int64_t batch_id = 0;
    std::string host_url;
    std::string provider;
    std::string platform;
    std::string name_prefix;
    std::string owner_run;  // the run that imported it ("" for an installed provider)
    std::vector<AccessMode> modes;
    BatchStatus batch_status = BatchStatus::pending;
    ProviderStatus provider_status = ProviderStatus::inactive;
    std::vector<std::pair<AccessMode, AccessStatus>> access;  // per configured mode
    LatestAccessStatus latest_access_status = LatestAccessStatus::not_ready;
    std::vector<ResourceView> resources;
    std::string error;
    std::string created_at;
    std::string updated_at;
    [[nodiscard]] json::value to_json() const;
};

}  // namespace crm::engine
