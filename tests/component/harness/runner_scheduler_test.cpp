// The parallel scheduler with a recording fake executor: order, parallelism, interruption.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "harness/runner/runner.hpp"

using namespace crm::harness;

namespace {

std::vector<matrix::Cell> cells(std::size_t n) {
    std::vector<matrix::Cell> out;
    for (std::size_t i = 0; i < n; ++i) {
        matrix::Cell c;
        c.index = i;
        c.id = "cell" + std::to_string(i);
        out.push_back(c);
    }
    return out;
}

class FakeExecutor final : public runner::CellExecutor {
  public:
    explicit FakeExecutor(std::atomic<bool>* interrupt_after_first = nullptr) : m_interrupt(interrupt_after_first) {}
    runner::CellReport run_cell(const matrix::Cell& cell, const std::atomic<bool>&, runner::RunEvents&) override {
        int now = ++m_running;
        {
            std::lock_guard lock(m_mutex);
            m_max = std::max(m_max, now);
            m_order.push_back(cell.id);
        }
        // Later cells finish first, so completion order differs from matrix order.
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * (10 - static_cast<int>(cell.index % 10))));
        if (m_interrupt) m_interrupt->store(true);
        --m_running;
        runner::CellReport r;
        r.cell = cell;
        r.classification.cause = classify::Cause::ready;
        r.classification.verdict = classify::Verdict::pass;
        r.finished = true;
        return r;
    }
    int max_parallel() const { return m_max; }
    std::vector<std::string> started() const { return m_order; }

  private:
    std::atomic<int> m_running{0};
    int m_max = 0;
    std::mutex m_mutex;
    std::vector<std::string> m_order;
    std::atomic<bool>* m_interrupt;
};

// A step with a bug: it throws.
class ThrowingExecutor final : public runner::CellExecutor {
  public:
    runner::CellReport run_cell(const matrix::Cell&, const std::atomic<bool>&, runner::RunEvents&) override {
        throw std::runtime_error("step 07 dereferenced nothing");
    }
};

class CountingEvents final : public runner::RunEvents {
  public:
    void cell_finished(const runner::CellReport&) override { ++finished; }
    std::atomic<int> finished{0};
};

}  // namespace

TEST_CASE("runner: reports come back in matrix order whatever order cells finish in") {
    FakeExecutor exec;
    CountingEvents events;
    std::atomic<bool> interrupted{false};
    auto reports = runner::run_cells(cells(6), exec, events, interrupted, 0);
    REQUIRE(reports.size() == 6);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        CHECK(reports[i].cell.index == i);
        CHECK(reports[i].started);
    }
    CHECK(events.finished == 6);
    CHECK(exec.max_parallel() > 1);
}

TEST_CASE("runner: --jobs bounds the cells in flight") {
    FakeExecutor exec;
    CountingEvents events;
    std::atomic<bool> interrupted{false};
    auto reports = runner::run_cells(cells(5), exec, events, interrupted, 2);
    CHECK(reports.size() == 5);
    CHECK(exec.max_parallel() <= 2);
    FakeExecutor serial;
    (void)runner::run_cells(cells(4), serial, events, interrupted, 1);
    CHECK(serial.max_parallel() == 1);
    CHECK(serial.started() == std::vector<std::string>{"cell0", "cell1", "cell2", "cell3"});
}

TEST_CASE("runner: default parallelism is every cell up to 8") {
    CHECK(runner::effective_jobs(0, 3) == 3);
    CHECK(runner::effective_jobs(0, 20) == 8);
    CHECK(runner::effective_jobs(16, 4) == 4);
    CHECK(runner::effective_jobs(0, 0) == 1);
}

TEST_CASE("runner: once interrupted no further cell starts and unstarted cells are reported as such") {
    std::atomic<bool> interrupted{false};
    FakeExecutor exec(&interrupted);
    CountingEvents events;
    auto reports = runner::run_cells(cells(6), exec, events, interrupted, 1);
    REQUIRE(reports.size() == 6);
    CHECK(reports[0].started);
    for (std::size_t i = 1; i < 6; ++i) {
        CHECK_FALSE(reports[i].started);
        CHECK(reports[i].interrupted);
    }
}

TEST_CASE("runner: a cell whose executor throws is a harness_error the gate never passes") {
    ThrowingExecutor exec;
    CountingEvents events;
    std::atomic<bool> interrupted{false};
    auto planted = cells(2);
    // Even a planted harness_error expectation does not turn a bug into a pass.
    planted[1].expected_cause = classify::Cause::harness_error;
    auto reports = runner::run_cells(planted, exec, events, interrupted, 1);
    REQUIRE(reports.size() == 2);
    for (const auto& r : reports) {
        CHECK(r.started);
        CHECK(r.classification.cause == classify::Cause::harness_error);
        CHECK(r.classification.explanation.find("dereferenced nothing") != std::string::npos);
        REQUIRE(r.decision.has_value());
        CHECK(r.decision->outcome == gate::CellOutcome::harness_error);
        CHECK_FALSE(r.gate_decision().passed);
    }
    std::vector<gate::CellDecision> decisions;
    for (const auto& r : reports) decisions.push_back(r.gate_decision());
    CHECK(gate::decide_run(decisions, {}).exit_code == ExitCode::harness_error);
}
