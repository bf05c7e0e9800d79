#pragma once
// Scenario `timeouts.retries` applied to the smoke probe steps (09, 10, 11 against the gateway,
// 17, 19 against the upstream): a probe whose exchange looks transient is sent again, up to
// `retries` extra times, and the artifact records how many attempts were made ("attempts").
//
// Transient means no verdict-bearing answer: a transport failure (connect_failed, timeout,
// stalled) or an HTTP 429 / 5xx whose body carries no error envelope (empty, an HTML page or bare
// text). A 429 or 5xx that names
// its error (insufficient quota, upstream_error ...) is an answer and is never retried, so a
// retry can only turn "no answer" into an answer, never hide a diagnosed failure.
//
// Between attempts the runner waits k_retry_pause (a few hundred ms at most) and stops retrying
// as soon as `cancel` is set.
#include <atomic>
#include <chrono>
#include <thread>

#include "probes/http/probe_exchange.hpp"

namespace crm::harness::runner {

inline constexpr std::chrono::milliseconds k_retry_pause{200};

// True when `exchange` ended without a verdict-bearing answer (see above).
[[nodiscard]] bool is_transient_exchange(const probes::ProbeExchange& exchange);

template <class Result>
struct Attempted {
    Result result;
    int attempts = 1;
};

// Calls `probe()` (which returns a result with an `exchange` member) once, then again while
// the last result is transient, at most `retries` more times. Returns the last result.
template <class Probe>
auto probe_with_retries(int retries, const std::atomic<bool>* cancel, Probe&& probe) -> Attempted<decltype(probe())> {
    Attempted<decltype(probe())> out{probe(), 1};
    while (out.attempts <= retries && is_transient_exchange(out.result.exchange)) {
        if (cancel && cancel->load()) break;
        std::this_thread::sleep_for(k_retry_pause);
        if (cancel && cancel->load()) break;
        out.result = probe();
        ++out.attempts;
    }
    return out;
}

}  // namespace crm::harness::runner
