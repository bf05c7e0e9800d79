#pragma once
// The control plane's reconcile worker: every interval it reconciles each installed batch
// (status succeeded) on each registered host through the engine, so drift shows up in
// GET /api/import-batches/{id} and /healthz without anyone asking.
//
// Contract:
// - a tick visits hosts one by one; it leaves a host alone (PlaneEvents::worker_skip, counted in
//   status().skips) when an import, access or rollback holds the host's lease (reason
//   host_busy: an exclusive store::HostLease with zero wait is refused), when its credentials
//   cannot be resolved (missing_secret) or when the host stops answering (host_unreachable);
// - each reconcile is stored by the engine (reconcile_runs) and reported through
//   PlaneEvents::engine_operation and ::reconcile_run (trigger "worker");
// - ticks never overlap (one thread; tick() called directly waits for a running one);
// - stop() wakes the waiting thread and joins it; a tick in progress ends after its current
//   reconcile (each bounded by the engine's HTTP timeouts). start() after stop() is refused.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "harness/serve/api_context.hpp"

namespace crm::harness::serve {

struct WorkerStatus {
    bool enabled = false;
    std::chrono::milliseconds interval{0};
    std::size_t runs = 0;        // ticks completed
    std::size_t reconciles = 0;  // batches reconciled (stored runs)
    std::size_t skips = 0;       // hosts left alone
    std::string last_run_at;     // end of the last tick, "" before the first
    std::string last_error;      // the newest error of the last tick, "" when it had none
    [[nodiscard]] json::object to_json() const;
};

class ReconcileWorker {
  public:
    ReconcileWorker(ApiContext& context, bool enabled, std::chrono::milliseconds interval);
    ReconcileWorker(const ReconcileWorker&) = delete;
    ReconcileWorker& operator=(const ReconcileWorker&) = delete;
    ~ReconcileWorker();

    // Starts the thread when enabled (first tick after one interval); no-op otherwise.
    void start();
    void stop();
    // One pass over every host, on the caller's thread.
    void tick();
    [[nodiscard]] WorkerStatus status() const;

  private:
    void loop();
    void reconcile_host(std::int64_t host_id, const std::vector<std::int64_t>& batch_ids, std::string& tick_error);
    void skip(std::string_view reason);

    ApiContext& m_ctx;
    std::mutex m_tick_mutex;     // one tick at a time
    mutable std::mutex m_mutex;  // guards the fields below
    std::condition_variable m_wake;
    bool m_stop = false;
    WorkerStatus m_status;
    std::thread m_thread;
};

}  // namespace crm::harness::serve
