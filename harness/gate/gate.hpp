#pragma once
// The release gate: a pure function from per-cell causes, scenario expectations, the
// gate policy and an optional baseline to one decision and one exit code.
//
// Per cell, in this order:
//  1. expected_cause set (a planted fault): passes iff observed == expected, else
//     expectation_mismatch (exit 1).
//  2. a live baseline entry for the cell: a failing cause (matching the entry's cause when it has
//     one) is an excused known_failure; a passing cell makes the entry stale (exit 1).
//  3. otherwise by cause: pass verdicts pass; harness_error is exit 3; the host could not be
//     tested (verdict error: host_unreachable, host_admin_rejected) is an environment_error
//     (exit 2: it blocks the release, but says nothing about the product); other causes in the
//     blocking set (policy override or the defaults in docs/CAUSES.md) are blocking (exit 1); the rest keep
//     the gate from passing as environment-blocked / inconclusive (exit 2).
// Evidence older than max_evidence_age never passes (exit 2, "stale evidence").
// The run's exit code is the worst class present: 3 > 1 > 2 > 0.
//
// Each cell is decided once (decide_cell, when it finishes); the run's decision (decide_run)
// combines those decisions and never re-reads causes. A cell that never got a decision (not
// started, or interrupted before its summary) is `not_run` and never passes.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/cli/exit_code.hpp"
#include "harness/gate/baseline.hpp"
#include "util/json.hpp"

namespace crm::harness::gate {

struct CellResult {
    std::string cell;
    classify::Cause cause = classify::Cause::harness_error;
    classify::Verdict verdict = classify::Verdict::error;
    std::optional<classify::Cause> expected_cause;
    friend bool operator==(const CellResult&, const CellResult&) = default;
};

enum class CellOutcome {
    passed,
    expectation_met,
    known_failure,
    expectation_mismatch,
    stale_baseline,
    blocking_failure,
    not_passing,        // environment-blocked / inconclusive / non-blocking failure
    environment_error,  // the host could not be tested: unreachable, admin auth refused
    harness_error,
    not_run,  // no decision was made: the cell never started or never finished
};
[[nodiscard]] const char* to_string(CellOutcome o) noexcept;
// Exact names as written by to_string; nullopt for anything else.
[[nodiscard]] std::optional<CellOutcome> parse_outcome(std::string_view name) noexcept;
// passed, expectation_met and known_failure let the gate pass.
[[nodiscard]] bool outcome_passes(CellOutcome o) noexcept;

// A default-constructed decision is `not_run`: nothing passes unless decide_cell said so.
struct CellDecision {
    std::string cell;
    CellOutcome outcome = CellOutcome::not_run;
    bool passed = false;
    std::string reason;  // one line for humans
    friend bool operator==(const CellDecision&, const CellDecision&) = default;
};

struct GatePolicyInput {
    std::optional<std::vector<classify::Cause>> blocking_causes;  // replaces the defaults
    std::optional<std::chrono::seconds> max_evidence_age;
    const Baseline* baseline = nullptr;
};

struct GateDecision {
    bool passed = true;
    ExitCode exit_code = ExitCode::gate_passed;
    std::vector<CellDecision> cells;  // in input order
    std::vector<std::string> notes;   // expired / unmatched baseline entries, stale evidence
    bool evidence_stale = false;
    [[nodiscard]] util::json::value to_json() const;
};

// The per-cell decision, made once when the cell finishes (the runner writes it to 21-summary).
[[nodiscard]] CellDecision decide_cell(const CellResult& cell, const GatePolicyInput& policy,
                                       std::string_view today_utc = {});

// The decision for a cell that has none: it never started, or stopped before its summary.
[[nodiscard]] CellDecision not_run(std::string cell, std::string reason);

// The run's decision from the cells' own decisions (in matrix order), the baseline's notes and
// the evidence age (`evidence_age` is now - bundle start; nullopt when not applicable).
[[nodiscard]] GateDecision decide_run(std::vector<CellDecision> cells, const GatePolicyInput& policy,
                                      std::optional<std::chrono::seconds> evidence_age = std::nullopt,
                                      std::string_view today_utc = {});

// decide_cell for each cell, then decide_run.
[[nodiscard]] GateDecision decide(const std::vector<CellResult>& cells, const GatePolicyInput& policy,
                                  std::optional<std::chrono::seconds> evidence_age = std::nullopt,
                                  std::string_view today_utc = {});

// Today's date (UTC) as YYYY-MM-DD, for baseline expiry.
[[nodiscard]] std::string today_utc();

}  // namespace crm::harness::gate
