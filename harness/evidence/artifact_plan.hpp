#pragma once
// The artifact plan a run records in 00-run.json, and the check of a bundle against it.
//
// Recorded: matrix.cells_selected[i].artifacts = [{"step": "05-import", "files": ["05-import.json"]},
// ...], one entry per step the cell is planned to run (steps switched off in the scenario are not
// listed), step names as in 21-summary.json's "steps" ("NN-<name>").
//
// Checked (check_artifact_plan), per recorded cell:
//   - a finished run (00-run.json "complete") has the cell's folder and its 21-summary.json/.md;
//   - a cell folder holds 00-cell.json (step 00 runs first, before anything can fail);
//   - every planned step that the cell's 21-summary.json records as ran or failed has all its
//     files (a step recorded as skipped — switched off or never reached — needs none);
//   - every planned step appears in 21-summary.json's steps;
// and every top-level folder of the bundle is a recorded cell. A finished run must record the
// plan: a complete 00-run.json without matrix.cells_selected[].artifacts is a problem itself.
// Every problem is one line "<path>: <why>".
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace crm::harness::evidence {

struct PlannedArtifacts {
    std::string step;                // "05-import"
    std::vector<std::string> files;  // in the cell folder
    friend bool operator==(const PlannedArtifacts&, const PlannedArtifacts&) = default;
};

[[nodiscard]] util::json::array artifact_plan_json(const std::vector<PlannedArtifacts>& plan);

// `run` is the parsed 00-run.json; `files` every regular file of the bundle (relative paths).
[[nodiscard]] std::vector<std::string> check_artifact_plan(const std::filesystem::path& dir,
                                                           const util::json::value& run, bool complete,
                                                           const std::set<std::string>& files);

}  // namespace crm::harness::evidence
