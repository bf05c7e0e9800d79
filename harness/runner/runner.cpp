#include "harness/runner/runner.hpp"

#include <algorithm>
#include <exception>
#include <thread>

namespace crm::harness::runner {

unsigned effective_jobs(unsigned requested, std::size_t cells) {
    std::size_t n = requested == 0 ? std::min<std::size_t>(cells, 8) : requested;
    n = std::min(n, cells);
    return static_cast<unsigned>(std::max<std::size_t>(n, 1));
}

std::vector<CellReport> run_cells(const std::vector<matrix::Cell>& cells, CellExecutor& executor, RunEvents& events,
                                  const std::atomic<bool>& interrupted, unsigned jobs) {
    std::vector<CellReport> reports(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) reports[i].cell = cells[i];
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        while (true) {
            if (interrupted.load()) return;
            std::size_t i = next.fetch_add(1);
            if (i >= cells.size()) return;
            events.cell_started(cells[i]);
            CellReport r;
            try {
                r = executor.run_cell(cells[i], interrupted, events);
            } catch (const std::exception& e) {
                // A bug in a step must not take the other cells down; it is this cell's
                // harness_error.
                // A bug is never an expected outcome: the decision is harness_error whatever the
                // scenario planted.
                r = CellReport{};
                r.cell = cells[i];
                r.classification.explanation = std::string("internal error: ") + e.what();
                r.decision = gate::CellDecision{cells[i].id, gate::CellOutcome::harness_error, false,
                                                "internal error in the harness"};
            }
            r.started = true;
            reports[i] = std::move(r);
            events.cell_finished(reports[i]);
        }
    };
    unsigned n = effective_jobs(jobs, cells.size());
    if (n <= 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        threads.reserve(n);
        for (unsigned t = 0; t < n; ++t) threads.emplace_back(worker);
        for (auto& t : threads) t.join();
    }
    for (auto& r : reports) {
        if (!r.started) {
            r.interrupted = true;
            r.classification.explanation = "not started: the run was interrupted";
        }
    }
    return reports;
}

gate::CellDecision CellReport::gate_decision() const {
    if (decision) return *decision;
    return gate::not_run(cell.id, started ? "interrupted before its summary" : "not started: the run was interrupted");
}

gate::CellResult CellReport::gate_input() const {
    return {cell.id, classification.cause, classification.verdict, cell.expected_cause};
}

}  // namespace crm::harness::runner
