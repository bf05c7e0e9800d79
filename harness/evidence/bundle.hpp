#pragma once
// A bundle on disk, read back into the typed model the run wrote it from. This is the one way a
// verb reads an earlier bundle's records: merge, --rerun-failed, and anything that lists, shows or
// compares bundles. It parses; it does not judge trust (verify.hpp does: manifest, secrets,
// layout, artifact plan), so callers that need trusted input check that first.
//
//   00-run.json          -> RunRecord: provenance, status, the recorded selection and the planned
//                           cells (matrix.cells_selected) with their artifact plans
//   <cell>/21-summary.json -> CellSummary, one per cell folder that finished
//
// Every cell folder must be a cell of the recorded matrix, and every value with a closed set of
// names (mode, cause, verdict, gate outcome, step state) must be one of them: an unknown name is
// an invalid_input error naming the file and field, never a default.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::evidence {

// One cell of the recorded matrix (00-run.json matrix.cells_selected[]).
struct PlannedCell {
    std::size_t index = 0;  // position in the full matrix expansion
    std::string id;         // the cell folder name
    std::string host;       // the name of the matrix host it ran against (RunRecord::hosts)
    scenario::Mode mode = scenario::Mode::self_service;
    std::string pack;
    std::string provider;
    std::string profile;
    std::optional<classify::Cause> expected_cause;
    util::json::value artifacts;  // the recorded artifact plan, as written (artifact_plan.hpp)
    friend bool operator==(const PlannedCell&, const PlannedCell&) = default;
};

// One host of the recorded matrix (00-run.json matrix.hosts[]).
struct RecordedHost {
    std::string name;
    std::string kind;  // stub | real
    std::string url;   // a stub host's URL is a loopback port that lived for that run only
    std::string profile;
    friend bool operator==(const RecordedHost&, const RecordedHost&) = default;
};

// 00-run.json.
struct RunRecord {
    std::string status;  // complete | incomplete
    bool interrupted = false;
    std::string scenario_name, scenario_path, scenario_sha256;
    std::string label;
    std::string host_kind, host_url, host_version;
    std::string started_at, ended_at, timezone;
    std::string clock_override;  // CRM_ACCEPT_NOW the run was stamped under ("" = the real clock)
    std::string engine_state;
    // "engine": how the run drove the engine (in_process | serve) and the control plane's URL;
    // "" in bundles written before runs recorded it.
    std::string engine_via, engine_url;
    std::string only, shard, rerun_failed;  // the recorded selection ("" = not used)
    std::size_t cells_total = 0;            // cells in the full matrix
    std::vector<RecordedHost> hosts;        // matrix.hosts, in scenario order
    std::vector<PlannedCell> cells;         // the selected cells, matrix order
    util::json::value json;                 // the file as read (merge carries its matrix over)

    [[nodiscard]] bool complete() const { return status == "complete"; }
    [[nodiscard]] const PlannedCell* find(std::string_view id) const;
    // The recorded host a cell ran against; nullptr when the record names no such host.
    [[nodiscard]] const RecordedHost* host_of(const PlannedCell& cell) const;
};

// Parses 00-run.json's document; `source` names it in errors.
[[nodiscard]] util::Result<RunRecord> run_record_from_json(const util::json::value& v, std::string_view source);

// One recorded cell and, when it finished, its summary.
struct BundleCell {
    PlannedCell plan;
    bool folder_present = false;         // the cell started
    std::optional<CellSummary> summary;  // 21-summary.json: the cell finished
};

struct Bundle {
    std::filesystem::path dir;
    RunRecord run;
    std::vector<BundleCell> cells;  // every recorded cell, matrix order

    // not_found: DIR is not a bundle (no 00-run.json). invalid_input: a record does not parse,
    // has another schema_version, names an unknown value, or a cell folder is not in the matrix.
    [[nodiscard]] static util::Result<Bundle> open(const std::filesystem::path& dir);
    // The same with 00-run.json already read (read_earlier_bundle's record): only the cell
    // folders are read.
    [[nodiscard]] static util::Result<Bundle> open(const std::filesystem::path& dir, RunRecord run);
    // Reads 00-run.json only.
    [[nodiscard]] static util::Result<RunRecord> read_run(const std::filesystem::path& dir);

    // The ids of the cells whose recorded gate decision lets the gate pass. A cell that never
    // started or never finished is not among them.
    [[nodiscard]] std::vector<std::string> passed_cells() const;
};

}  // namespace crm::harness::evidence
