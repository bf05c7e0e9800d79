#pragma once
// The provisioning engine (docs/ENGINE.md), the system under test: installs a provider from a pack into
// a sub2api host, closes ordinary-user access per mode, rolls back, reconciles and recovers.
//
// Contract:
// - Every host change is journaled in the StateStore *before* it is made (an intent row with
//   the resource's unique name) and its host id recorded right after, so a crash between any two
//   host calls is recoverable (recover()) and rollback() always knows what it owns.
// - Host resource names all start with ImportRequest::name_prefix, so parallel cells and other
//   operators never collide; a 409 from the host is a conflict error naming the resource.
// - Failures are values: an operation that reached the host and failed returns its outcome with
//   a failed status (import: batch failed, every created resource recorded); an Error is
//   returned only when the operation could not start (unknown provider or batch, missing
//   upstream key, wrong mode, host unreachable before the first write, store failure).
// - The engine never prints; it reports progress to EngineEvents. Secrets it learns (user
//   passwords, user API keys, upstream keys) are registered in the SecretRegistry before use;
//   every to_json() is secret-free. The StateStore keeps probe credentials (0600 file).
// - Not thread-safe per instance; several Engine instances (threads or processes) may share
//   one state file, and Engines on parallel threads may share one HostSessions: every operation
//   on a host then goes through that host's one admin client and one capability probe.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/host/host_session.hpp"
#include "engine/model/outcomes.hpp"
#include "engine/model/status.hpp"
#include "engine/packs/pack_catalog.hpp"
#include "engine/packs/upstream_override.hpp"
#include "engine/store/state_store.hpp"
#include "probes/http/transport.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "probes/sub2api/host_capabilities.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::engine {

struct ImportRequest {
    std::string pack_id;
    std::string provider;
    std::vector<AccessMode> modes;  // one group per mode; at least one, no duplicates
    std::string name_prefix;        // unique per cell; prefixes every host resource name
    // Set by `crm-accept run` (its run token): the batch is the run's to remove, and recover
    // rolls it back whatever its status. Empty: an installed provider that recover leaves alone
    // once its import has finished.
    std::string owner_run{};
};

struct UserCredentials {
    std::string email;
    std::string password;  // a secret
};

struct AccessOptions {
    // Operator-supplied ordinary user (reused, never deleted by rollback). Empty: the engine
    // creates a probe user with a random email and password.
    std::optional<UserCredentials> reuse_user;
    // For a reused user: add balance / assign the subscription (true) or only check that the
    // operator already did (false; a missing precondition is then reported, not fixed).
    bool provision_reused_user = true;
    double balance_usd = 5.0;            // self_service top-up
    int subscription_validity_days = 0;  // 0: the provider's subscription_validity_days
    bool stream_check = false;           // also require the stream variant of the chat smoke
    bool account_test = true;            // POST /accounts/:id/test per account (advisory evidence)
};

// Progress report. `operation` is import | access | rollback | reconcile | recover | probe.
struct EngineEvent {
    std::string operation;
    std::string message;  // one line, secret-free
    std::optional<std::int64_t> batch_id;
};

class EngineEvents {
  public:
    virtual ~EngineEvents() = default;
    virtual void on_event(const EngineEvent& event) = 0;
};

struct EngineDeps {
    StateStore& store;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    util::EnvLookup env;  // upstream keys (key_env) without a host override; never the process env below the CLI
    const PackCatalog& packs;
    EngineEvents* events = nullptr;
    // Test hook: called after every host write (create/update/delete) with the running count of
    // writes this Engine made. Crash tests end the process here to prove recoverability.
    std::function<void(std::size_t host_writes)> after_host_write;
    FileReader read_file = filesystem_reader();  // key_file reader
    // The host sessions to share (host_session.hpp); null: the Engine keeps its own.
    HostSessions* sessions = nullptr;
};

class Engine {
  public:
    explicit Engine(EngineDeps deps);

    // 02: what the host can do (admin auth, compliance, channels, key route); recorded in the
    // store's hosts table.
    [[nodiscard]] util::Result<probes::sub2api::HostCapabilities> probe_host(const HostTarget& host);
    // Records a pack and its providers (secret-free definitions) in the store.
    [[nodiscard]] util::Result<void> install_pack(const std::string& pack_id);
    // 04: the host changes import() would make; no host or store writes (reads only).
    [[nodiscard]] util::Result<ImportPlan> preview(const HostTarget& host, const ImportRequest& request);
    // 05: groups, accounts, channel. Error only when nothing was attempted on the host.
    [[nodiscard]] util::Result<ImportOutcome> import(const HostTarget& host, const ImportRequest& request);
    // 07: user, balance or subscription, API key, ready rule. The returned api_key is a
    // registered secret (not in to_json).
    [[nodiscard]] util::Result<AccessOutcome> close_access(const HostTarget& host, std::int64_t batch_id,
                                                           AccessMode mode, const AccessOptions& options);
    // 06: the admin account test (POST /api/v1/admin/accounts/:id/test) of every account the
    // batch created, with the provider's smoke model. Evidence only: nothing is written, and a
    // failed test is a result, not an error. close_access runs the same tests when
    // AccessOptions::account_test is set.
    [[nodiscard]] util::Result<std::vector<AccountTestResult>> test_accounts(const HostTarget& host,
                                                                             std::int64_t batch_id);
    // 08: host read-back of the closure: user, balance, group, subscription, key binding.
    [[nodiscard]] util::Result<json::value> read_back_access(const HostTarget& host, std::int64_t batch_id,
                                                             AccessMode mode);
    // 13: owned drift (missing / modified) and foreign residue in the batch's platform scope.
    [[nodiscard]] util::Result<ReconcileOutcome> reconcile(const HostTarget& host, std::int64_t batch_id);
    // 20: deletes owned resources (keys, subscriptions, users, channel, accounts, groups), then
    // reads the host back; rolled_back only when nothing owned is left.
    [[nodiscard]] util::Result<RollbackOutcome> rollback(const HostTarget& host, std::int64_t batch_id);
    // After a crash (recover/recover.hpp): resolves every unconfirmed intent on this host by its
    // unique name, rolls back every batch a dead `crm-accept run` owned (owner_run set) whatever
    // its status, and every interrupted or half-rolled-back batch of the engine's own; undoes
    // unfinished access closures; reads the host back. Refuses (ErrorCode::conflict) while
    // import, access or rollback is running on the same host and state file, in any process
    // (host lease), and when the state file has batches but none on this host URL (a recover
    // pointed at the wrong host would otherwise report success).
    [[nodiscard]] util::Result<RecoverOutcome> recover(const HostTarget& host);
    // Batch, resources and access statuses from the store (no host calls).
    [[nodiscard]] util::Result<BatchReport> status(std::int64_t batch_id);

    [[nodiscard]] std::size_t host_writes() const { return m_host_writes; }

  private:
    HostSessions& sessions() { return m_deps.sessions ? *m_deps.sessions : *m_own_sessions; }

    EngineDeps m_deps;
    std::unique_ptr<HostSessions> m_own_sessions;  // when EngineDeps::sessions is null
    std::size_t m_host_writes = 0;
};

}  // namespace crm::engine
