#include "harness/runner/upstream_lane.hpp"

#include <chrono>
#include <exception>
#include <utility>

namespace crm::harness::runner {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void run_lane(probes::HttpTransport& http, const UpstreamLaneRequest& req, const std::atomic<bool>& interrupted,
              UpstreamLaneResults& out) {
    if (req.models) {
        auto t0 = Clock::now();
        out.models = probe_with_retries(req.retries, &interrupted, [&] {
            return probes::upstream::probe_upstream_models(http, req.target, req.expected_model);
        });
        out.models_ms = ms_since(t0);
    }
    if (req.chat) {
        auto t0 = Clock::now();
        out.chat = probe_with_retries(req.retries, &interrupted, [&] {
            return probes::upstream::probe_upstream_chat(http, req.target, req.expected_model);
        });
        out.chat_ms = ms_since(t0);
    }
}

}  // namespace

UpstreamLane::~UpstreamLane() {
    if (m_thread.joinable()) m_thread.join();
}

void UpstreamLane::start(probes::HttpTransport& http, UpstreamLaneRequest request,
                         const std::atomic<bool>& interrupted) {
    if (m_started) return;
    m_started = true;
    m_thread = std::thread([&http, req = std::move(request), &interrupted, this] {
        try {
            run_lane(http, req, interrupted, m_results);
        } catch (...) {
            m_failure = std::current_exception();  // a bug: handed to the cell's thread by join()
        }
    });
}

const UpstreamLaneResults& UpstreamLane::join() {
    if (m_thread.joinable()) m_thread.join();
    if (m_failure) std::rethrow_exception(std::exchange(m_failure, nullptr));
    return m_results;
}

}  // namespace crm::harness::runner
