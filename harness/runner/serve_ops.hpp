#pragma once
// The engine operations of a cell through the control plane's HTTP API (engine_ops.hpp), for a
// scenario with "engine": {"via": "serve"}. The control plane runs the one engine on the run's
// state file (or, for a running control plane, the state file the scenario names), so batch ids
// are the server's and the cell's in-process reads see its rows.
//
// The probe user's API key is never in an API answer: after a closure it is read from the shared
// 0600 state file (the access row of the batch and mode) and registered as a secret.
#include <map>
#include <string>

#include "engine/store/state_store.hpp"
#include "harness/runner/engine_ops.hpp"
#include "harness/serve/plane_client.hpp"
#include "util/secrets.hpp"

namespace crm::harness::runner {

// A run host as the control plane knows it.
struct PlaneHostRef {
    util::json::value id;           // the server's host id (POST /api/hosts)
    std::string user_password_env;  // the server's variable holding the reused user's password, if any
};

// What every cell of a run shares when its engine runs behind the control plane: the client and
// each host's registration, by HostTarget::url. Filled before the first cell; read-only after.
struct ServePlane {
    serve::PlaneClient* client = nullptr;
    std::map<std::string, PlaneHostRef, std::less<>> hosts;
};

class ServeOps final : public EngineOps {
  public:
    // `provider`: the cell's provider name (the API's providerID). Everything is borrowed.
    ServeOps(const ServePlane& plane, engine::StateStore& store, util::SecretRegistry& secrets, std::string provider);

    [[nodiscard]] util::Result<engine::ImportOutcome> import(const engine::HostTarget& host,
                                                             const engine::ImportRequest& request) override;
    [[nodiscard]] util::Result<engine::AccessOutcome> close_access(const engine::HostTarget& host,
                                                                   std::int64_t batch_id, engine::AccessMode mode,
                                                                   const engine::AccessOptions& options) override;
    [[nodiscard]] util::Result<engine::ReconcileOutcome> reconcile(const engine::HostTarget& host,
                                                                   std::int64_t batch_id) override;
    [[nodiscard]] util::Result<engine::RollbackOutcome> rollback(const engine::HostTarget& host,
                                                                 std::int64_t batch_id) override;

  private:
    [[nodiscard]] util::Result<const PlaneHostRef*> host_ref(const engine::HostTarget& host) const;

    const ServePlane& m_plane;
    engine::StateStore& m_store;
    util::SecretRegistry& m_secrets;
    std::string m_provider;
};

}  // namespace crm::harness::runner
