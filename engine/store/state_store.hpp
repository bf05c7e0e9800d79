#pragma once
// The engine's durable state (docs/ENGINE.md): one SQLite file per operator, shared safely by several
// processes. It records which host resources each import batch owns, *before* they exist
// (intent rows), so rollback and recover can always find what a crashed run left behind.
//
// Contract:
// - open() creates the file 0600 (it holds probe credentials: user passwords and API keys in
//   access_closures), runs the embedded migrations up to k_schema_version inside BEGIN
//   IMMEDIATE, and refuses a file whose user_version is newer than this build knows;
// - every state change is one BEGIN IMMEDIATE transaction; a failed call leaves the file as it
//   was; batch status changes are validated against can_transition() inside the transaction;
// - thread-safe within a process (one mutex around the connection); processes serialise on
//   SQLite's lock with a busy timeout;
// - records returned are values: nothing borrows from the store.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/status.hpp"
#include "engine/store/database.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::engine {

namespace json = boost::json;

inline constexpr std::int64_t k_schema_version = 4;

struct HostRecord {
    std::int64_t id = 0;
    std::string name;
    std::string url;
    std::string version;
    std::string capabilities_json;  // secret-free
    std::string probed_at;
    friend bool operator==(const HostRecord&, const HostRecord&) = default;
};

struct ProviderRecord {
    std::string name;
    std::string platform;
    std::string definition_json;  // secret-free provider definition (key source names only)
    friend bool operator==(const ProviderRecord&, const ProviderRecord&) = default;
};

struct PackRecord {
    std::string pack_id;
    std::string version;
    std::string sha256;
    std::string source;
    std::string installed_at;
    std::vector<ProviderRecord> providers;
    friend bool operator==(const PackRecord&, const PackRecord&) = default;
};

struct BatchRecord {
    std::int64_t id = 0;
    std::int64_t host_id = 0;
    std::string pack_id;
    std::string pack_version;
    std::string provider;
    std::string platform;
    std::string name_prefix;
    std::vector<AccessMode> modes;
    // The token of the `crm-accept run` that imported the batch, which removes it before the run
    // ends; "" for a batch imported on its own (`engine import`: an installed provider).
    std::string owner_run;
    BatchStatus status = BatchStatus::pending;
    ProviderStatus provider_status = ProviderStatus::inactive;
    std::string error;
    std::string created_at;
    std::string updated_at;
    friend bool operator==(const BatchRecord&, const BatchRecord&) = default;
};

struct ResourceRecord {
    std::int64_t id = 0;
    std::int64_t batch_id = 0;
    ResourceKind kind = ResourceKind::group;
    std::int64_t ord = 0;            // creation order within the batch
    std::string name;                // unique host-side name (or email for users)
    std::optional<AccessMode> mode;  // the access mode a group/user/key serves
    std::optional<std::int64_t> host_id;
    ResourceState state = ResourceState::intent;
    std::string spec_json;                  // secret-free: what was asked of the host
    std::optional<std::int64_t> parent_id;  // e.g. the user a key or subscription belongs to
    std::string error;
    friend bool operator==(const ResourceRecord&, const ResourceRecord&) = default;
};

struct AccessClosureRecord {
    std::int64_t batch_id = 0;
    AccessMode mode = AccessMode::self_service;
    AccessStatus access_status = AccessStatus::none;
    bool managed_user = true;  // false: operator-supplied reusable credentials
    std::string user_email;
    std::string user_password;  // secret
    std::optional<std::int64_t> user_id;
    std::optional<std::int64_t> group_id;
    std::optional<std::int64_t> key_id;
    std::string api_key;  // secret
    std::optional<std::int64_t> subscription_id;
    std::string evidence_json;  // secret-free
    std::string updated_at;
    friend bool operator==(const AccessClosureRecord&, const AccessClosureRecord&) = default;
};

struct ReconcileRunRecord {
    std::int64_t id = 0;
    std::int64_t batch_id = 0;
    std::string status;  // in_sync | drifted
    std::int64_t drift_count = 0;
    std::int64_t residue_count = 0;
    std::string report_json;
    std::string created_at;
};

class StateStore {
  public:
    [[nodiscard]] static util::Result<StateStore> open(const std::filesystem::path& path);

    StateStore(StateStore&&) noexcept;
    StateStore& operator=(StateStore&&) noexcept;
    ~StateStore();

    [[nodiscard]] const std::filesystem::path& path() const;
    [[nodiscard]] util::Result<std::int64_t> schema_version();
    // "ok" when PRAGMA integrity_check passes, otherwise its first complaint.
    [[nodiscard]] util::Result<std::string> integrity_check();

    // Hosts are keyed by URL (normalised without a trailing slash).
    [[nodiscard]] util::Result<std::int64_t> upsert_host(const std::string& name, const std::string& url);
    [[nodiscard]] util::Result<void> record_host_probe(std::int64_t host_id, const std::string& version,
                                                       const std::string& capabilities_json);
    [[nodiscard]] util::Result<std::optional<HostRecord>> find_host(const std::string& url);
    [[nodiscard]] util::Result<HostRecord> host(std::int64_t host_id);
    // Every host, by id.
    [[nodiscard]] util::Result<std::vector<HostRecord>> hosts();

    // Replaces the pack's provider list (a pack is re-installable; old batches keep their copy).
    [[nodiscard]] util::Result<void> install_pack(const PackRecord& pack);
    [[nodiscard]] util::Result<std::vector<PackRecord>> packs();

    // Creates a batch in status pending.
    [[nodiscard]] util::Result<std::int64_t> create_batch(const BatchRecord& batch);
    // Fails with invalid_input when the transition is not allowed by can_transition().
    [[nodiscard]] util::Result<void> set_batch_status(std::int64_t batch_id, BatchStatus to,
                                                      std::optional<ProviderStatus> provider_status,
                                                      const std::string& error = {});
    [[nodiscard]] util::Result<void> set_provider_status(std::int64_t batch_id, ProviderStatus s);
    [[nodiscard]] util::Result<BatchRecord> batch(std::int64_t batch_id);
    [[nodiscard]] util::Result<std::vector<BatchRecord>> batches(std::optional<std::int64_t> host_id = {});

    // Journals an intent row (state intent, next ord in the batch) and returns its row id.
    [[nodiscard]] util::Result<std::int64_t> journal_intent(const ResourceRecord& r);
    [[nodiscard]] util::Result<void> mark_created(std::int64_t resource_id, std::int64_t host_id);
    [[nodiscard]] util::Result<void> mark_state(std::int64_t resource_id, ResourceState s,
                                                const std::string& error = {});
    [[nodiscard]] util::Result<std::vector<ResourceRecord>> resources(std::int64_t batch_id);
    // Every resource of every batch on `host_id` that may still exist on the host
    // (intent, created, delete_failed): the owned set for residue detection and recover.
    [[nodiscard]] util::Result<std::vector<ResourceRecord>> live_resources(std::int64_t host_id);

    [[nodiscard]] util::Result<void> upsert_access(const AccessClosureRecord& a);
    [[nodiscard]] util::Result<std::optional<AccessClosureRecord>> access(std::int64_t batch_id, AccessMode m);
    [[nodiscard]] util::Result<std::vector<AccessClosureRecord>> access_closures(std::int64_t batch_id);

    [[nodiscard]] util::Result<std::int64_t> record_reconcile(const ReconcileRunRecord& run);
    [[nodiscard]] util::Result<std::vector<ReconcileRunRecord>> reconcile_runs(std::int64_t batch_id);

    // Runs `fn` inside one BEGIN IMMEDIATE transaction; commits when it returns a value, rolls
    // back when it returns an error. Not re-entrant.
    [[nodiscard]] util::Result<void> transaction(const std::function<util::Result<void>(store::Database&)>& fn);

  private:
    struct Impl;
    explicit StateStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
[[nodiscard]] std::string utc_now();

}  // namespace crm::engine
