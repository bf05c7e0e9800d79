#pragma once
// The control plane's Prometheus metrics: the HTTP layer's request counters and latency
// histogram, and the PlaneEvents the handlers and the reconcile worker report.
//
// Families (text format 0.0.4, rendered by render()):
//   crm_http_requests_total{route,method,status}       counter; route is the matched pattern
//                                                       ("/api/hosts/{hostID}") or "unmatched",
//                                                       never the raw path (bounded cardinality)
//   crm_http_request_duration_seconds{route}            histogram (k_duration_buckets, seconds)
//   crm_http_in_flight                                  gauge: requests being handled now
//   crm_engine_operations_total{operation,outcome}      counter (PlaneEvents::engine_operation)
//   crm_reconcile_runs_total{trigger,result}            counter (PlaneEvents::reconcile_run)
//   crm_reconcile_drift_items_total                     counter: drift items found by all runs
//   crm_reconcile_worker_skips_total{reason}            counter (PlaneEvents::worker_skip)
//   process_start_time_seconds                          gauge: unix time the metrics were made
// Families with labels and no sample yet render their HELP/TYPE lines only.
//
// Thread-safe. The hot path (one request) takes one short mutex hold to bump a counter and a
// histogram bucket; render() takes the same mutex once and copies nothing but numbers.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "harness/serve/plane_events.hpp"

namespace crm::harness::serve {

inline constexpr std::array<double, 12> k_duration_buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,   0.25,   0.5,   1.0,  5.0,   30.0};

class PlaneMetrics final : public PlaneEvents {
  public:
    PlaneMetrics();
    void http_request(std::string_view route, std::string_view method, int status, std::chrono::nanoseconds took);
    void in_flight_add(int delta) { m_in_flight.fetch_add(delta, std::memory_order_relaxed); }

    void engine_operation(std::string_view operation, std::string_view outcome) override;
    void reconcile_run(std::string_view trigger, std::string_view result, std::size_t drift_items) override;
    void worker_skip(std::string_view reason) override;

    [[nodiscard]] std::string render() const;

  private:
    struct Histogram {
        std::array<std::uint64_t, k_duration_buckets.size()> buckets{};  // per bucket, not cumulative
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t, std::less<>> m_requests;
    std::map<std::string, Histogram, std::less<>> m_durations;
    std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> m_operations;
    std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> m_reconciles;
    std::map<std::string, std::uint64_t, std::less<>> m_skips;
    std::uint64_t m_drift_items = 0;
    std::atomic<std::int64_t> m_in_flight{0};
    double m_start_time = 0;
};

}  // namespace crm::harness::serve
