#pragma once
// The parallel cell scheduler. run_cells() runs every cell through a CellExecutor on up to
// `jobs` worker threads and returns one CellReport per cell in matrix order, whatever order the
// cells finished in (deterministic output).
//
// Interruption: once `interrupted` is set no further cell starts; cells not started come back
// with `started == false`. Cells in flight are the executor's to wind down (it rolls back what
// it imported and returns a report with `interrupted == true`).
//
// The core never prints: progress goes to RunEvents, which may be called from several worker
// threads at once (implementations synchronise).
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/classify/classifier.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/gate/gate.hpp"
#include "harness/matrix/matrix.hpp"
#include "util/json.hpp"

namespace crm::harness::runner {

using evidence::StepRecord;
using evidence::StepState;

// One cell as the run saw it: the matrix cell, how far it got, the classifier's result, its
// steps, and the gate's decision for it. Everything downstream (the printed table, the run's
// gate, 21-summary.json, summary.json, JUnit, the report) reads these typed fields; nothing
// re-parses a cause or a step state from text.
struct CellReport {
    matrix::Cell cell;
    bool started = false;
    bool finished = false;  // reached 21-summary
    bool interrupted = false;
    bool imported = false;
    bool rolled_back = false;                 // owned host resources removed (by step 20 or the interrupt path)
    classify::Classification classification;  // harness_error until the classifier ran
    std::vector<StepRecord> steps;            // pipeline order
    // gate::decide_cell's decision, made once when the cell finished; empty for a cell that never
    // started or stopped before its summary (gate_decision() then says not_run).
    std::optional<gate::CellDecision> decision;
    std::string started_at;  // ISO-8601 with UTC offset
    double elapsed_ms = 0;
    double network_ms = 0;  // sum of network waits (the cell's share of the critical path)

    [[nodiscard]] gate::CellDecision gate_decision() const;
    // The gate's input for this cell (its id, cause, verdict and expectation).
    [[nodiscard]] gate::CellResult gate_input() const;
};

class RunEvents {
  public:
    virtual ~RunEvents() = default;
    virtual void cell_started(const matrix::Cell& /*cell*/) {}
    virtual void step_started(const matrix::Cell& /*cell*/, int /*number*/, std::string_view /*step*/) {}
    virtual void cell_finished(const CellReport& /*report*/) {}
};

class CellExecutor {
  public:
    virtual ~CellExecutor() = default;
    // Never throws for expected failures: a broken step becomes part of the report.
    [[nodiscard]] virtual CellReport run_cell(const matrix::Cell& cell, const std::atomic<bool>& interrupted,
                                              RunEvents& events) = 0;
};

// 0 = all cells, capped at 8.
[[nodiscard]] unsigned effective_jobs(unsigned requested, std::size_t cells);

[[nodiscard]] std::vector<CellReport> run_cells(const std::vector<matrix::Cell>& cells, CellExecutor& executor,
                                                RunEvents& events, const std::atomic<bool>& interrupted, unsigned jobs);

}  // namespace crm::harness::runner
