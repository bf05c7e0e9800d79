#pragma once
// The control plane behind `crm-accept serve` (docs/CONTROL-PLANE.md): the /api route handlers
// over the one embedded engine, and the reconcile worker. The HTTP layer serves routes() and
// reads health() for /healthz.
//
// Contract:
// - open() opens (and migrates) the state store at `db`, loads every pack in `pack_dir` (an
//   empty path: none), registers the literal admin keys of stored hosts as secrets and drops
//   idempotency claims a dead server left running. It fails with the store's or the pack
//   loader's error (one line naming the file);
// - one StateStore, one PackCatalog, one HostSessions for all requests; each request gets its
//   own Engine. Handlers are safe to call from many threads at once;
// - `http`, `secrets` and `events` are borrowed and must outlive the ControlPlane;
// - stop(): no new engine operation starts (503 shutting_down), the worker is woken and joined.
//   Requests already running finish (the HTTP layer drains them before calling stop()).
#include <chrono>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "harness/serve/api_context.hpp"
#include "harness/serve/api_types.hpp"
#include "harness/serve/plane_events.hpp"
#include "harness/serve/reconcile_worker.hpp"
#include "probes/http/transport.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::harness::serve {

struct ControlPlaneOptions {
    std::filesystem::path db;
    std::filesystem::path pack_dir;
    util::EnvLookup env;  // *_env host credentials, upstream keys, pack ${VAR}s
    bool worker_enabled = false;
    // Milliseconds so tests can tick fast; the environment's values are whole Go durations.
    std::chrono::milliseconds worker_interval{std::chrono::minutes(5)};
};

class ControlPlane : public HealthSource {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<ControlPlane>> open(ControlPlaneOptions options,
                                                                          probes::HttpTransport& http,
                                                                          util::SecretRegistry& secrets,
                                                                          PlaneEvents& events);
    ControlPlane(const ControlPlane&) = delete;
    ControlPlane& operator=(const ControlPlane&) = delete;
    ~ControlPlane() override;

    // Every /api route (not /healthz or /metrics); handlers borrow this ControlPlane.
    [[nodiscard]] std::vector<Route> routes();
    void start_worker();
    void stop();
    // {"store": "ok" | complaint, "worker": {enabled, interval_seconds, runs, reconciles, skips,
    // last_run_at, last_error}}
    [[nodiscard]] json::object health() override;

    // For tests and the worker's callers: one worker tick now, on this thread.
    void run_worker_tick() { m_worker.tick(); }
    [[nodiscard]] WorkerStatus worker_status() const { return m_worker.status(); }
    [[nodiscard]] ApiContext& context() { return *m_ctx; }

  private:
    ControlPlane(std::unique_ptr<ApiContext> ctx, const ControlPlaneOptions& options);
    std::unique_ptr<ApiContext> m_ctx;
    ReconcileWorker m_worker;
};

[[nodiscard]] inline std::vector<Route> api_routes(ControlPlane& plane) { return plane.routes(); }

// Reads SUB2API_CRM_RECONCILE_WORKER_ENABLED (true|false|1|0; default false) and
// SUB2API_CRM_RECONCILE_POLL_INTERVAL (a Go duration: 30s, 5m, 1h30m, 500ms; default 5m).
// A bad value is invalid_input naming the variable and the value.
[[nodiscard]] util::Result<std::pair<bool, std::chrono::milliseconds>> worker_settings(const util::EnvLookup& env);

}  // namespace crm::harness::serve
