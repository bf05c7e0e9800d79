#include "harness/serve/reconcile_worker.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "engine/store/host_lease.hpp"

namespace crm::harness::serve {

namespace {

bool host_unreachable(util::ErrorCode c) {
    using util::ErrorCode;
    return c == ErrorCode::connect_failed || c == ErrorCode::timeout || c == ErrorCode::stalled ||
           c == ErrorCode::host_rejected || c == ErrorCode::protocol;
}

}  // namespace

json::object WorkerStatus::to_json() const {
    // Whole seconds as an integer; a sub-second interval (tests) as a fraction.
    json::value seconds = interval.count() % 1000 == 0 ? json::value(interval.count() / 1000)
                                                       : json::value(static_cast<double>(interval.count()) / 1000.0);
    return json::object{{"enabled", enabled},
                        {"interval_seconds", std::move(seconds)},
                        {"runs", runs},
                        {"reconciles", reconciles},
                        {"skips", skips},
                        {"last_run_at", last_run_at.empty() ? json::value(nullptr) : json::value(last_run_at)},
                        {"last_error", last_error.empty() ? json::value(nullptr) : json::value(last_error)}};
}

ReconcileWorker::ReconcileWorker(ApiContext& context, bool enabled, std::chrono::milliseconds interval)
    : m_ctx(context) {
    m_status.enabled = enabled;
    m_status.interval = interval;
}

ReconcileWorker::~ReconcileWorker() { stop(); }

void ReconcileWorker::start() {
    std::lock_guard lock(m_mutex);
    if (!m_status.enabled || m_thread.joinable() || m_stop) return;
    m_thread = std::thread([this] { loop(); });
}

void ReconcileWorker::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

WorkerStatus ReconcileWorker::status() const {
    std::lock_guard lock(m_mutex);
    return m_status;
}

void ReconcileWorker::loop() {
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        // The interval runs from the end of one tick to the start of the next: ticks never pile up.
        if (m_wake.wait_for(lock, m_status.interval, [this] { return m_stop; })) break;
        lock.unlock();
        tick();
        lock.lock();
    }
}

void ReconcileWorker::skip(std::string_view reason) {
    m_ctx.events.worker_skip(reason);
    std::lock_guard lock(m_mutex);
    ++m_status.skips;
}

void ReconcileWorker::tick() {
    std::lock_guard tick_lock(m_tick_mutex);
    std::string tick_error;
    auto batches = m_ctx.store.batches();
    if (!batches) {
        tick_error = "state store: " + batches.error().describe();
    } else {
        std::map<std::int64_t, std::vector<std::int64_t>> by_host;
        for (const auto& b : *batches) {
            if (b.status == engine::BatchStatus::succeeded) by_host[b.host_id].push_back(b.id);
        }
        for (const auto& [host_id, ids] : by_host) {
            if (m_ctx.stopping.load()) break;
            {
                std::lock_guard lock(m_mutex);
                if (m_stop) break;
            }
            reconcile_host(host_id, ids, tick_error);
        }
    }
    std::lock_guard lock(m_mutex);
    ++m_status.runs;
    m_status.last_run_at = engine::utc_now();
    m_status.last_error = m_ctx.secrets.scrub(tick_error);
}

void ReconcileWorker::reconcile_host(std::int64_t host_id, const std::vector<std::int64_t>& batch_ids,
                                     std::string& tick_error) {
    auto target = m_ctx.target(host_id);
    if (!target) {
        tick_error = target.error().describe();
        skip(target.error().code == util::ErrorCode::missing_secret ? "missing_secret" : "host_unknown");
        return;
    }
    // Exclusive with zero wait: refused while any import, access or rollback (shared lease) runs
    // on this host, in this process or another. Held for the whole host so none starts midway.
    auto lease = engine::store::HostLease::acquire(m_ctx.store.path(), host_id, engine::store::LeaseKind::exclusive,
                                                   std::chrono::milliseconds(0), target->url);
    if (!lease) {
        skip("host_busy");
        return;
    }
    auto engine = m_ctx.engine();
    for (auto batch_id : batch_ids) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stop) return;
        }
        auto outcome = engine.reconcile(*target, batch_id);
        if (!outcome) {
            tick_error = fmt::format("batch {}: {}", batch_id, outcome.error().describe());
            m_ctx.events.engine_operation("reconcile", "error");
            m_ctx.events.reconcile_run("worker", "error", 0);
            if (host_unreachable(outcome.error().code)) {
                skip("host_unreachable");
                return;
            }
            continue;
        }
        m_ctx.events.engine_operation("reconcile", outcome->status);
        m_ctx.events.reconcile_run("worker", outcome->status, outcome->drift.size() + outcome->residue.size());
        std::lock_guard lock(m_mutex);
        ++m_status.reconciles;
    }
}

}  // namespace crm::harness::serve
