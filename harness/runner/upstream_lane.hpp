#pragma once
// The upstream-direct probes of one cell (17 GET /models, 19 POST /chat/completions against the
// provider with its own key), sent on a thread of their own while the cell's host steps go on.
// They depend on nothing the host steps produce (only the provider and its key), and the host
// steps depend on nothing they produce, so a cell's wall time is the longer of the two chains
// instead of their sum.
//
// The lane only talks to the network: it never writes an artifact, never touches the cell's
// observations, report or secrets. The pipeline reads its results after join(), in plan order,
// and writes and records them then, so artifacts, step records and the classifier's input are
// what a sequential run would produce.
//
// Thread safety: the lane's thread uses its own copies of the target (URL, key, timeouts), the
// model names and the retry count; the shared HttpTransport (thread-safe: cells already send
// concurrently); and the run's `interrupted` flag (atomic, read only). Results are written by
// the lane's thread only and read by the caller only after join(), which orders the two.
#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "harness/runner/probe_retry.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "probes/upstream/upstream_probes.hpp"

namespace crm::harness::runner {

struct UpstreamLaneRequest {
    probes::upstream::UpstreamTarget target;  // owns its URL and key
    std::string expected_model;               // the upstream's name of the smoke model
    bool models = false;                      // send 17
    bool chat = false;                        // send 19
    int retries = 0;                          // timeouts.retries
};

struct UpstreamLaneResults {
    std::optional<Attempted<probes::gateway::ModelsResult>> models;
    std::optional<Attempted<probes::gateway::ChatResult>> chat;
    double models_ms = 0;  // wall time of each probe, retries included
    double chat_ms = 0;
};

class UpstreamLane {
  public:
    UpstreamLane() = default;
    UpstreamLane(const UpstreamLane&) = delete;
    UpstreamLane& operator=(const UpstreamLane&) = delete;
    ~UpstreamLane();

    // Starts the requested probes (17 before 19) on the lane's thread. `http` and `interrupted`
    // are borrowed and must outlive the lane. Call at most once.
    void start(probes::HttpTransport& http, UpstreamLaneRequest request, const std::atomic<bool>& interrupted);
    [[nodiscard]] bool started() const { return m_started; }
    // Waits for the lane (at once when it never started) and returns its results; the second
    // call returns the same results without waiting. An exception the lane's thread threw (a bug) is rethrown here,
    // once, on the caller's thread, where the scheduler turns it into a harness_error cell.
    const UpstreamLaneResults& join();

  private:
    std::thread m_thread;
    UpstreamLaneResults m_results;
    std::exception_ptr m_failure;
    bool m_started = false;
};

}  // namespace crm::harness::runner
