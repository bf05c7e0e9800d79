#pragma once
// Joins shard bundles of one scenario into one bundle equal to an unsharded run (same cells in
// matrix order, same causes), re-gated, re-manifested and re-audited, as a value the caller
// prints. Inputs are checked first: each must be complete, of the same scenario (sha256), with a
// matching MANIFEST (evidence::read_earlier_bundle, shared with --rerun-failed); no cell may
// appear twice; and together they must cover the whole matrix (or the recorded --only
// selection; shard_coverage.hpp). A refusal writes nothing: a merged bundle is only ever as
// passing as the run it stands for.
//
// The gate policy (blocking causes, evidence age, baseline) is the scenario's when the scenario
// file the shards name is still the same (sha256); otherwise the defaults, with a note. The gate
// runs on the oldest shard's start time, so old evidence stays old when merged.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/cli/exit_code.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/runner/runner.hpp"
#include "util/env_expand.hpp"

namespace crm::harness::session {

struct MergeRequest {
    std::vector<std::string> inputs;  // shard bundle folders, at least one
    std::filesystem::path out = evidence::k_default_bundle_root;
    std::string label;  // "" = the first shard's label
};

struct MergeResult {
    // The gate's; 3 when refused (4 when a shard's manifest does not hold, 64 without inputs);
    // 4 when the merged bundle fails verify's checks.
    ExitCode exit_code = ExitCode::harness_error;
    std::string message;                    // the one line to report when nothing was merged ("merge: ..."), else ""
    bool finished = false;                  // the merged bundle was written: the fields below describe it
    std::vector<runner::CellReport> cells;  // matrix order, each with its shard's decision
    evidence::RunSummary summary;           // as written to the merged bundle
    evidence::VerifyReport check;           // verify's check of the merged bundle
    std::filesystem::path bundle_dir;

    [[nodiscard]] bool bundle_passed() const { return check.trustworthy(); }
};

// `env` expands the ${VAR}s of the scenario file the shards name (for its gate policy).
[[nodiscard]] MergeResult merge_bundles(const MergeRequest& request, const util::EnvLookup& env);

}  // namespace crm::harness::session
