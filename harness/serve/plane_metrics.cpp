// One mutex over std::maps: a control plane sees tens of requests per second at most, and a
// lock-free registry would cost more code than it ever saves (see bench/control_plane_load.cpp).
#include "harness/serve/plane_metrics.hpp"

#include <algorithm>

#include "harness/serve/prometheus_text.hpp"

namespace crm::harness::serve {

PlaneMetrics::PlaneMetrics() {
    m_start_time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    m_start_time = static_cast<double>(static_cast<std::int64_t>(m_start_time));
}

void PlaneMetrics::http_request(std::string_view route, std::string_view method, int status,
                                std::chrono::nanoseconds took) {
    const double seconds = std::chrono::duration<double>(took).count();
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(k_duration_buckets.begin(), k_duration_buckets.end(), seconds) - k_duration_buckets.begin());
    std::lock_guard lock(m_mutex);
    ++m_requests[std::make_tuple(std::string(route), std::string(method), status)];
    auto it = m_durations.find(route);
    if (it == m_durations.end()) it = m_durations.emplace(std::string(route), Histogram{}).first;
    if (bucket < k_duration_buckets.size()) ++it->second.buckets[bucket];
    ++it->second.count;
    it->second.sum += seconds;
}

void PlaneMetrics::engine_operation(std::string_view operation, std::string_view outcome) {
    std::lock_guard lock(m_mutex);
    ++m_operations[{std::string(operation), std::string(outcome)}];
}

void PlaneMetrics::reconcile_run(std::string_view trigger, std::string_view result, std::size_t drift_items) {
    std::lock_guard lock(m_mutex);
    ++m_reconciles[{std::string(trigger), std::string(result)}];
    m_drift_items += drift_items;
}

void PlaneMetrics::worker_skip(std::string_view reason) {
    std::lock_guard lock(m_mutex);
    ++m_skips[std::string(reason)];
}

std::string PlaneMetrics::render() const {
    std::string out;
    out.reserve(4096);
    std::lock_guard lock(m_mutex);
    write_family_header(out, "crm_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
                        "counter");
    for (const auto& [key, n] : m_requests) {
        const auto& [route, method, status] = key;
        write_sample(out, "crm_http_requests_total",
                     {{"route", route}, {"method", method}, {"status", std::to_string(status)}},
                     static_cast<double>(n));
    }
    write_family_header(out, "crm_http_request_duration_seconds",
                        "Time from a request's last byte to its response, by route pattern.", "histogram");
    for (const auto& [route, h] : m_durations) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < k_duration_buckets.size(); ++i) {
            cumulative += h.buckets[i];
            write_sample(out, "crm_http_request_duration_seconds_bucket",
                         {{"route", route}, {"le", format_value(k_duration_buckets[i])}},
                         static_cast<double>(cumulative));
        }
        write_sample(out, "crm_http_request_duration_seconds_bucket", {{"route", route}, {"le", "+Inf"}},
                     static_cast<double>(h.count));
        write_sample(out, "crm_http_request_duration_seconds_sum", {{"route", route}}, h.sum);
        write_sample(out, "crm_http_request_duration_seconds_count", {{"route", route}}, static_cast<double>(h.count));
    }
    write_family_header(out, "crm_http_in_flight", "Requests being handled now.", "gauge");
    write_sample(out, "crm_http_in_flight", {}, static_cast<double>(m_in_flight.load(std::memory_order_relaxed)));
    write_family_header(out, "crm_engine_operations_total", "Engine operations ended, by operation and outcome.",
                        "counter");
    for (const auto& [key, n] : m_operations) {
        write_sample(out, "crm_engine_operations_total", {{"operation", key.first}, {"outcome", key.second}},
                     static_cast<double>(n));
    }
    write_family_header(out, "crm_reconcile_runs_total", "Reconcile runs, by trigger (worker or api) and result.",
                        "counter");
    for (const auto& [key, n] : m_reconciles) {
        write_sample(out, "crm_reconcile_runs_total", {{"trigger", key.first}, {"result", key.second}},
                     static_cast<double>(n));
    }
    write_family_header(out, "crm_reconcile_drift_items_total", "Drift and residue items found by reconcile runs.",
                        "counter");
    write_sample(out, "crm_reconcile_drift_items_total", {}, static_cast<double>(m_drift_items));
    write_family_header(out, "crm_reconcile_worker_skips_total", "Hosts the reconcile worker left alone, by reason.",
                        "counter");
    for (const auto& [reason, n] : m_skips) {
        write_sample(out, "crm_reconcile_worker_skips_total", {{"reason", reason}}, static_cast<double>(n));
    }
    write_family_header(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                        "gauge");
    write_sample(out, "process_start_time_seconds", {}, m_start_time);
    return out;
}

}  // namespace crm::harness::serve
