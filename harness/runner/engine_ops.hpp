#pragma once
// The engine operations a cell drives (05 import, 07 access, 13 reconcile, 20 rollback), behind
// one seam so a scenario can choose how they run ("engine": {"via": ...}): in this process
// (InProcessOps, the cell's own Engine) or through the control plane's HTTP API
// (harness/runner/serve_ops.hpp). Both return the engine's own outcome values with the same
// meaning; reads (probe_host, preview, test_accounts, read_back_access) stay on the cell's Engine
// over the shared state file either way.
//
// After close_access, AccessOutcome::api_key holds the probe user's key (a registered secret)
// whichever way the closure ran.
#include <cstdint>

#include "engine/engine.hpp"
#include "util/error.hpp"

namespace crm::harness::runner {

class EngineOps {
  public:
    virtual ~EngineOps() = default;
    [[nodiscard]] virtual util::Result<engine::ImportOutcome> import(const engine::HostTarget& host,
                                                                     const engine::ImportRequest& request) = 0;
    [[nodiscard]] virtual util::Result<engine::AccessOutcome> close_access(const engine::HostTarget& host,
                                                                           std::int64_t batch_id,
                                                                           engine::AccessMode mode,
                                                                           const engine::AccessOptions& options) = 0;
    [[nodiscard]] virtual util::Result<engine::ReconcileOutcome> reconcile(const engine::HostTarget& host,
                                                                           std::int64_t batch_id) = 0;
    [[nodiscard]] virtual util::Result<engine::RollbackOutcome> rollback(const engine::HostTarget& host,
                                                                         std::int64_t batch_id) = 0;
};

// The operations on an Engine of this process (borrowed).
class InProcessOps final : public EngineOps {
  public:
    explicit InProcessOps(engine::Engine& engine) : m_engine(engine) {}
    [[nodiscard]] util::Result<engine::ImportOutcome> import(const engine::HostTarget& host,
                                                             const engine::ImportRequest& request) override {
        return m_engine.import(host, request);
    }
    [[nodiscard]] util::Result<engine::AccessOutcome> close_access(const engine::HostTarget& host,
                                                                   std::int64_t batch_id, engine::AccessMode mode,
                                                                   const engine::AccessOptions& options) override {
        return m_engine.close_access(host, batch_id, mode, options);
    }
    [[nodiscard]] util::Result<engine::ReconcileOutcome> reconcile(const engine::HostTarget& host,
                                                                   std::int64_t batch_id) override {
        return m_engine.reconcile(host, batch_id);
    }
    [[nodiscard]] util::Result<engine::RollbackOutcome> rollback(const engine::HostTarget& host,
                                                                 std::int64_t batch_id) override {
        return m_engine.rollback(host, batch_id);
    }

  private:
    engine::Engine& m_engine;
};

}  // namespace crm::harness::runner
