#pragma once
// `run`'s progress on stderr (stdout keeps the table, --json and CI workflow commands), in one of
// two shapes:
//   terminal  one line rewritten in place per step ("\r"), one kept line per finished cell,
//             coloured by verdict unless colour is off (NO_COLOR, or stderr is not a terminal);
//   log       for CI logs and pipes: one line when a cell starts, one when it ends (cause, gate
//             outcome, the cell's own elapsed time), and a heartbeat for a step that has run for
//             k_heartbeat_after (again every k_heartbeat_every), naming the cell, the step and
//             how long it has run. Never any escape sequence.
// Disabled (--quiet) it prints nothing. Elapsed times in brackets count from the first cell's
// start. Every line goes through `scrub` (the run's secret registry) before it is written.
// Thread-safe: the runner calls it from its worker threads, the heartbeat from its own.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "harness/runner/runner.hpp"

namespace crm::harness {

inline constexpr std::chrono::seconds k_heartbeat_after{5};
inline constexpr std::chrono::seconds k_heartbeat_every{30};

struct ProgressStyle {
    bool enabled = true;    // false with --quiet
    bool terminal = false;  // stderr is a terminal: the in-place shape
    bool color = false;     // only honoured on a terminal
};

class ProgressPrinter final : public runner::RunEvents {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    using Scrub = std::function<std::string(std::string_view)>;

    ProgressPrinter(std::ostream& os, ProgressStyle style, Clock clock = &std::chrono::steady_clock::now);

    // Set once the run's secret registry exists; lines are written as they are until then.
    void set_scrub(Scrub scrub);

    void cell_started(const matrix::Cell& cell) override;
    void step_started(const matrix::Cell& cell, int number, std::string_view step) override;
    void cell_finished(const runner::CellReport& report) override;

    // Log shape only: a heartbeat line for each running step that is due one. The heartbeat
    // thread calls it about once a second; tests call it with a fake clock.
    void heartbeat();

    // Whether a heartbeat thread has anything to do (log shape, enabled).
    [[nodiscard]] bool wants_heartbeat() const { return m_style.enabled && !m_style.terminal; }

  private:
    struct Running {
        int number = 0;
        std::string step;
        std::chrono::steady_clock::time_point since;
        std::chrono::steady_clock::duration next_beat = k_heartbeat_after;
    };
    [[nodiscard]] double elapsed_s() const;
    void write(const std::string& line);

    std::ostream& m_os;
    ProgressStyle m_style;
    Clock m_clock;
    Scrub m_scrub;
    std::mutex m_mutex;
    bool m_started = false;
    std::chrono::steady_clock::time_point m_t0;
    std::map<std::string, Running> m_running;  // by cell id: the step each running cell is in
};

// Calls printer.heartbeat() about once a second on a thread of its own while it lives (only when
// the printer wants heartbeats). Destruction stops and joins the thread.
class HeartbeatThread {
  public:
    explicit HeartbeatThread(ProgressPrinter& printer);
    ~HeartbeatThread();
    HeartbeatThread(const HeartbeatThread&) = delete;
    HeartbeatThread& operator=(const HeartbeatThread&) = delete;

  private:
    std::jthread m_thread;
};

}  // namespace crm::harness
