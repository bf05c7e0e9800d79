#pragma once
// What the control plane's handlers and reconcile worker report to the HTTP layer, which turns
// it into Prometheus metrics (docs/CONTROL-PLANE.md). The handlers know nothing of metrics; the
// metrics know nothing of the engine.
//
// Contract: implementations are thread-safe (handlers run on many connection threads and the
// worker on its own); every string passed is a short, secret-free label value.
#include <cstddef>
#include <string_view>

#include "util/json.hpp"

namespace crm::harness::serve {

class PlaneEvents {
  public:
    virtual ~PlaneEvents() = default;
    // An engine operation ended. operation: probe | install_pack | preview | import | access |
    // reconcile | rollback; outcome: the product status (succeeded, failed, ready, in_sync,
    // drifted, rolled_back, ...) or "error" when the operation could not start.
    virtual void engine_operation(std::string_view operation, std::string_view outcome) = 0;
    // One reconcile by the worker or the API. result: in_sync | drifted | error; drift_items:
    // drift plus residue entries found.
    virtual void reconcile_run(std::string_view trigger, std::string_view result, std::size_t drift_items) = 0;
    // The worker left a host alone this tick. reason: host_busy | host_unreachable | ...
    virtual void worker_skip(std::string_view reason) = 0;
};

// The state /healthz reports: {"store": "ok" | "<first complaint>", "worker": {...}}. The HTTP
// layer answers 200 when store is "ok" and 503 otherwise.
class HealthSource {
  public:
    virtual ~HealthSource() = default;
    [[nodiscard]] virtual boost::json::object health() = 0;
};

}  // namespace crm::harness::serve
