#pragma once
// The run summary the runner fills and the evidence writer persists (summary.json, 00-run.json,
// summary.md, junit.xml, report.html, per-cell 21-summary.*). Plain values; JSON mapping below.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/gate/gate.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/json.hpp"

namespace crm::harness::evidence {

inline constexpr int k_schema_version = 1;

// ran: the step ran to the end; failed: it ran and stopped the cell; skipped: switched off by the
// scenario (or the other mode's variant); not_reached: an earlier step stopped the cell.
enum class StepState { ran, skipped, failed, not_reached };
[[nodiscard]] std::string_view to_string(StepState s) noexcept;
[[nodiscard]] std::optional<StepState> parse_step_state(std::string_view s) noexcept;

// One step of a finished cell, as the pipeline ran it and 21-summary.json records it.
struct StepRecord {
    int number = 0;
    std::string name;  // the plan's short name: "models", "chat_stream"
    StepState state = StepState::not_reached;
    std::string note;  // one line: why it was skipped, what stopped it
    double elapsed_ms = 0;
    double network_ms = 0;  // the part of elapsed_ms spent waiting on the network

    // "NN-<name>" ("09-models"): the step's name in 21-summary.json and the artifact plan.
    [[nodiscard]] std::string label() const;
    friend bool operator==(const StepRecord&, const StepRecord&) = default;
};

struct CellSummary {
    std::string host;  // host name on a matrix with several hosts, "" otherwise
    std::string mode;  // self_service | subscription
    std::string provider;
    std::string pack;  // "<pack id>@<version>"
    classify::Cause cause = classify::Cause::harness_error;
    classify::Verdict verdict = classify::Verdict::error;
    std::optional<classify::Cause> expected_cause;  // from the scenario / baseline
    // The gate's decision for this cell (gate::decide_cell), made once by the run. A cell that
    // never started or stopped before its summary is not_run (see not_run / interrupted).
    gate::CellOutcome gate_outcome = gate::CellOutcome::not_run;
    std::string gate_reason;  // the decision's one line
    std::string explanation;  // the classifier's paragraph
    std::string rule_id;      // the rule that produced the cause
    std::int64_t elapsed_ms = 0;
    std::vector<std::string> artifacts;  // proving artifacts, relative to the cell folder
    std::vector<std::string> notes;      // non-blocking observations (they never change the cause)
    std::vector<StepRecord> steps;       // in pipeline order
    bool required = true;                // a required cell can fail the gate
    // The cell never started (the run was interrupted first): cause and verdict say nothing, and
    // every format shows it as "not_run" (summary.json cause/verdict, JUnit <skipped/>, a grey
    // report cell), never as a harness error. Such a run is interrupted, so its bundle is
    // incomplete and its gate does not pass.
    bool not_run = false;
    // The cell started but the run was interrupted before its summary: its gate word is
    // "interrupted".
    bool interrupted = false;

    // The gate word every format shows: "not_run", "interrupted", or gate::to_string(gate_outcome).
    [[nodiscard]] std::string_view gate_word() const;
    // The explanation followed by the gate's reason, as reports show it.
    [[nodiscard]] std::string explanation_with_gate() const;

    // matrix::cell_folder of host, mode and provider: the same name the run wrote.
    [[nodiscard]] std::string folder() const;
    friend bool operator==(const CellSummary&, const CellSummary&) = default;
};

struct GateSummary {
    bool passed = false;
    std::string decision;            // one word: passed | failed | blocked ...
    std::string reason;              // one line
    std::vector<std::string> notes;  // e.g. stale baseline entries, stale evidence

    friend bool operator==(const GateSummary&, const GateSummary&) = default;
};

// The exit code a bundle that fails its own check forces (harness/cli/exit_code.hpp maps it).
inline constexpr int k_audit_failed_exit = 4;
// The exit code of an interrupted run; a failed check does not replace it.
inline constexpr int k_interrupted_exit = 130;

// The word summaries use for a cell that never started (CellSummary::not_run).
inline constexpr std::string_view k_not_run = "not_run";

struct RunSummary {
    std::string scenario_name;
    std::string scenario_path;
    std::string scenario_sha256;
    std::string label;
    std::string host_kind = "stub";  // stub | real
    std::string host_url;
    std::string host_version;
    std::string started_at;  // ISO 8601 with UTC offset (timestamp.hpp)
    std::string ended_at;
    std::string timezone;        // e.g. "UTC", "CET"
    std::string clock_override;  // CRM_ACCEPT_NOW when the run was stamped under it (clock.hpp)
    std::string tool_version;    // util/version.hpp; filled by the writer when empty
    std::string git_sha;
    std::vector<std::string> argv;   // already redacted by the caller; scrubbed again on write
    util::json::value matrix;        // the resolved matrix, as the runner describes it
    std::vector<CellSummary> cells;  // matrix order
    GateSummary gate;
    int exit_code = 0;
    bool interrupted = false;
    std::size_t audit_hits = 0;                // secret-shaped strings the post-write audit found
    std::vector<std::string> bundle_problems;  // why the written bundle fails verify (one line each)
    std::string engine_state;                  // the run's engine state file (for recover after a kill)
    // How the run drove the engine: "in_process" | "serve" ("" = not recorded: 00-run.json then
    // has no "engine"), and for serve the control plane's URL (never its token).
    std::string engine_via;
    std::string engine_url;

    friend bool operator==(const RunSummary&, const RunSummary&) = default;
};

// Records that the written bundle fails verify's checks (`problems`, one line each, of which
// `audit_hits` are secrets): exit_code 4, the gate failed with the first problem as its reason.
// The bundle's rewritten files and what `run` prints both come from this one function.
void mark_bundle_failed(RunSummary& s, std::size_t audit_hits, std::vector<std::string> problems);

[[nodiscard]] util::json::object to_json(const CellSummary& c);
[[nodiscard]] util::json::object to_json(const GateSummary& g);
// summary.json: provenance + cells + gate + exit code + verdict counts. `status` is
// "complete" or "incomplete".
[[nodiscard]] util::json::object summary_json(const RunSummary& s, std::string_view status);
// 00-run.json: provenance only (no cells), with the run status.
[[nodiscard]] util::json::object run_json(const RunSummary& s, std::string_view status);

// Reads summary.json (or a 21-summary.json for cell_from_json) back; unknown causes, verdicts
// or step states are invalid_input errors naming `source` and the field. A cell whose verdict is
// "not_run" comes back with not_run set.
[[nodiscard]] util::Result<RunSummary> run_summary_from_json(const util::json::value& v, std::string_view source);
[[nodiscard]] util::Result<CellSummary> cell_from_json(const util::json::value& v, std::string_view source);

using util::sanitize_name;

}  // namespace crm::harness::evidence
