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
#include <string>
#include <vector>

#include "harness/gate/gate.hpp"
#include "harness/matrix/matrix.hpp"
#include "util/json.hpp"

namespace crm::harness::runner {

struct StepRecord {
    int number = 0;
    std::string step;
    std::string status;  // done | skipped | failed | not_reached
    std::string note;    // one line (skip reason, error)
    double elapsed_ms = 0;
    double network_ms = 0;  // time spent waiting on HTTP in this step
};

struct CellReport {
    matrix::Cell cell;
    bool started = false;
    bool finished = false;     // reached 21-summary
    bool interrupted = false;
    bool imported = false;
    bool rolled_back = false;  // owned host resources removed (by step 20 or the interrupt path)
    std::string cause = "harness_error";
    std::string verdict = "error";
    std::string explanation;
    std::string rule_id;
    std::vector<std::string> evidence;
    std::vector<std::string> notes;  // the classifier's non-blocking notes
    std::vector<StepRecord> steps;
    gate::CellDecision gate;
    std::string started_at;  // ISO-8601 with UTC offset
    double elapsed_ms = 0;
    double network_ms = 0;   // sum of network waits (the cell's share of the critical path)
    [[nodiscard]] util::json::value to_json() const;
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
                                                RunEvents& events, const std::atomic<bool>& interrupted,
                                                unsigned jobs);

}  // namespace crm::harness::runner
