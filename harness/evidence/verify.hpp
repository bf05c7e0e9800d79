#pragma once
// `crm-accept verify BUNDLE`: can this bundle be trusted without re-running anything?
//   - MANIFEST.sha256 present and matching (no modified, missing or extra file)
//   - no secret-shaped string in any file (the run's registry is unknown here)
//   - every *.json parses and carries "schema_version"
//   - 00-run.json says "complete"
// A directory that is not a bundle (neither 00-run.json nor MANIFEST.sha256) or cannot be read
// is an error (exit 3). A bundle that was tampered with (manifest), leaks a secret or holds bad
// JSON is untrustworthy (exit 4); otherwise a run that did not finish is honest but not valid
// evidence (exit 3). Untrustworthy wins over incomplete.
//
// The same module answers the narrower question merge and `run --rerun-failed` ask of an earlier
// bundle before reading its cells (read_earlier_bundle): is it a bundle of this scenario, and
// does its manifest still hold?
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/audit.hpp"
#include "harness/evidence/manifest.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::evidence {

struct VerifyReport {
    std::filesystem::path bundle;
    bool manifest_present = false;
    std::vector<ManifestMismatch> mismatches;
    std::vector<AuditHit> audit_hits;
    std::vector<std::string> missing_schema_version;  // "<file>: <why>" for each bad JSON file
    std::string run_status;                           // complete | incomplete | "" (no 00-run.json)
    std::size_t files_checked = 0;

    [[nodiscard]] bool manifest_ok() const { return manifest_present && mismatches.empty(); }
    [[nodiscard]] bool complete() const { return run_status == "complete"; }
    // Nothing was changed or leaked: what the run wrote is what is there (exit 4 otherwise). A
    // run that crashed never wrote its manifest, so only a finished run must have one.
    [[nodiscard]] bool trustworthy() const {
        bool manifest_holds = manifest_present ? mismatches.empty() : !complete();
        return manifest_holds && audit_hits.empty() && missing_schema_version.empty();
    }
    [[nodiscard]] bool clean() const { return trustworthy() && complete(); }
};

[[nodiscard]] util::Result<VerifyReport> verify(const std::filesystem::path& bundle_dir);

[[nodiscard]] util::json::object to_json(const VerifyReport& r);
// One line per problem (a secret as "secret: <kind> at <file>: byte N", a byte offset as in
// `run`'s audit), then a verdict line: clean | INCOMPLETE (trustworthy, run did not finish) | NOT CLEAN.
[[nodiscard]] std::string describe(const VerifyReport& r);

// An earlier bundle as merge and --rerun-failed see it: its parsed 00-run.json and the facts they
// check. Scenario identity is the scenario file's sha256 recorded there; an empty one matches
// nothing.
struct EarlierBundle {
    std::filesystem::path dir;
    util::json::value run;  // 00-run.json
    std::string status;     // complete | incomplete
    std::string scenario_sha256;
    std::string only, shard, rerun_failed;  // the recorded selection ("" = not used)
    std::size_t cells_total = 0;
};

enum class RefusalKind {
    invalid,       // not a bundle, unreadable, incomplete, another scenario (exit 3)
    untrustworthy  // MANIFEST.sha256 missing on a finished run, or not matching (exit 4)
};

struct Refusal {
    RefusalKind kind = RefusalKind::invalid;
    std::string message;  // one line, starts with the bundle path, no prefix
};

struct EarlierBundleRules {
    // Must match 00-run.json's scenario sha256 (compare with the scenario being run, or with the
    // first shard of a merge).
    std::string scenario_sha256;
    // --rerun-failed takes interrupted runs (that is its main use); one that crashed before
    // writing MANIFEST.sha256 is accepted without one. Merge takes finished runs only.
    bool accept_incomplete = false;
};

// Reads and checks `dir`, in this order: a bundle at all; its manifest (when present, or when the
// run finished and so must have one); finished (unless accepted); the scenario. The manifest
// comes first so a tampered bundle is always reported as such (exit 4 wins, as in verify).
[[nodiscard]] std::expected<EarlierBundle, Refusal> read_earlier_bundle(const std::filesystem::path& dir,
                                                                        const EarlierBundleRules& rules);
// Reads 00-run.json only, no checks beyond parsing (merge takes the first shard's scenario as
// the reference this way). Refusal::invalid when it is not a bundle.
[[nodiscard]] std::expected<EarlierBundle, Refusal> read_bundle_record(const std::filesystem::path& dir);

}  // namespace crm::harness::evidence
