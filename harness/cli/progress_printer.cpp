#include "harness/cli/progress_printer.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <ostream>

namespace crm::harness {

namespace {

std::string cause_word(const runner::CellReport& r) {
    return r.started ? std::string(classify::to_string(r.classification.cause)) : "not_run";
}

std::string gate_word(const runner::CellReport& r) {
    if (r.interrupted) return "interrupted";
    return gate::to_string(r.gate_decision().outcome);
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& os, ProgressStyle style, Clock clock)
    : m_os(os), m_style(style), m_clock(std::move(clock)), m_t0(m_clock()) {}

void ProgressPrinter::set_scrub(Scrub scrub) {
    std::lock_guard lock(m_mutex);
    m_scrub = std::move(scrub);
}

double ProgressPrinter::elapsed_s() const { return std::chrono::duration<double>(m_clock() - m_t0).count(); }

void ProgressPrinter::write(const std::string& line) { m_os << (m_scrub ? m_scrub(line) : line) << std::flush; }

void ProgressPrinter::cell_started(const matrix::Cell& cell) {
    std::lock_guard lock(m_mutex);
    if (!m_started) {
        m_started = true;
        m_t0 = m_clock();
    }
    if (!m_style.enabled || m_style.terminal) return;
    m_running[cell.id] = Running{0, "start", m_clock(), k_heartbeat_after};
    write(fmt::format("[{:6.1f}s] start {}\n", elapsed_s(), cell.id));
}

void ProgressPrinter::step_started(const matrix::Cell& cell, int number, std::string_view step) {
    if (!m_style.enabled) return;
    std::lock_guard lock(m_mutex);
    if (m_style.terminal) {
        write(fmt::format("\r\033[K[{:6.1f}s] {} {:02} {}", elapsed_s(), cell.id, number, step));
        return;
    }
    m_running[cell.id] = Running{number, std::string(step), m_clock(), k_heartbeat_after};
}

void ProgressPrinter::cell_finished(const runner::CellReport& r) {
    if (!m_style.enabled) return;
    std::lock_guard lock(m_mutex);
    m_running.erase(r.cell.id);
    if (!m_style.terminal) {
        write(fmt::format("[{:6.1f}s] end   {} cause={} gate={} elapsed={:.1f}s\n", elapsed_s(), r.cell.id,
                          cause_word(r), gate_word(r), r.elapsed_ms / 1000.0));
        return;
    }
    std::string cause = cause_word(r);
    if (m_style.color) {
        const auto v = r.classification.verdict;
        const char* col = v == classify::Verdict::pass   ? "\033[32m"
                          : v == classify::Verdict::fail ? "\033[31m"
                                                         : "\033[33m";
        cause = fmt::format("{}{}\033[0m", col, cause);
    }
    write(fmt::format("\r\033[K[{:6.1f}s] done {} -> {} (gate {})\n", elapsed_s(), r.cell.id, cause, gate_word(r)));
}

void ProgressPrinter::heartbeat() {
    if (!wants_heartbeat()) return;
    std::lock_guard lock(m_mutex);
    const auto now = m_clock();
    for (auto& [cell, run] : m_running) {
        const auto running_for = now - run.since;
        if (running_for < run.next_beat) continue;
        const auto step = run.number == 0 ? std::string("before its first step")
                                          : fmt::format("in step {:02} {}", run.number, run.step);
        write(fmt::format("[{:6.1f}s] still running {} {} for {:.0f}s\n", elapsed_s(), cell, step,
                          std::chrono::duration<double>(running_for).count()));
        while (run.next_beat <= running_for) run.next_beat += k_heartbeat_every;
    }
}

HeartbeatThread::HeartbeatThread(ProgressPrinter& printer) {
    if (!printer.wants_heartbeat()) return;
    m_thread = std::jthread([&printer](const std::stop_token& stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        while (!stop.stop_requested()) {
            (void)wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
            if (!stop.stop_requested()) printer.heartbeat();
        }
    });
}

HeartbeatThread::~HeartbeatThread() = default;

}  // namespace crm::harness
