#pragma once
// Can this bundle be trusted without re-running anything? One check, shared: `crm-accept verify`
// runs it without a registry (secret shapes only); `run` and `merge` run it, with the run's
// registry, as the last step of BundleWriter::finalize(), so a bundle `run` reports as clean is
// one `verify` passes. It checks:
//   - layout: only regular files, in directories that hold something (no symlink to a file or a
//     directory, no empty directory, no FIFO, socket or device);
//   - MANIFEST.sha256: present on a finished run and matching (no modified, missing, extra,
//     malformed or duplicate entry);
//   - secrets: no registered value and no secret-shaped string (util/secrets.hpp), raw or
//     JSON-escaped, in any file;
//   - content: every file is valid UTF-8; every *.json parses, is an object and carries
//     "schema_version" equal to the version this build writes;
//   - the artifact plan recorded in 00-run.json (artifact_plan.hpp);
//   - 00-run.json says "complete".
// A directory that is not a bundle (neither 00-run.json nor MANIFEST.sha256) or cannot be read
// is an error (exit 3). Any failed check but the last makes the bundle untrustworthy (exit 4);
// otherwise a run that did not finish is honest but not valid evidence (exit 3). Untrustworthy
// wins over incomplete.
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
#include "harness/evidence/bundle.hpp"
#include "harness/evidence/manifest.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::harness::evidence {

struct VerifyReport {
    std::filesystem::path bundle;
    bool manifest_present = false;
    std::vector<ManifestMismatch> mismatches;
    std::vector<AuditHit> audit_hits;
    std::vector<std::string> layout_problems;  // "<path>: symlink to ..." (scan_bundle_tree)
    std::vector<std::string>
        content_problems;                    // "<file>: not valid UTF-8 (byte N)" / "not valid JSON" / schema_version
    std::vector<std::string> plan_problems;  // "<cell>/<file>: missing (...)" (check_artifact_plan)
    std::string run_status;                  // complete | incomplete | "" (no 00-run.json)
    std::size_t files_checked = 0;

    [[nodiscard]] bool manifest_ok() const { return manifest_present && mismatches.empty(); }
    [[nodiscard]] bool complete() const { return run_status == "complete"; }
    // Nothing was changed, added, lost or leaked: what the run wrote is what is there (exit 4
    // otherwise). A run that crashed never wrote its manifest, so only a finished run must have one.
    [[nodiscard]] bool trustworthy() const {
        bool manifest_holds = manifest_present ? mismatches.empty() : !complete();
        return manifest_holds && audit_hits.empty() && layout_problems.empty() && content_problems.empty() &&
               plan_problems.empty();
    }
    [[nodiscard]] bool clean() const { return trustworthy() && complete(); }
    // Every reason the bundle is not trustworthy, one line each, in check order (a secret as
    // "secret: <kind> at <file>: byte N (<masked preview>)"). Empty when trustworthy.
    [[nodiscard]] std::vector<std::string> problems() const;
};

// The shared check. `registry` null: secret-shaped strings only.
[[nodiscard]] util::Result<VerifyReport> check_bundle(const std::filesystem::path& bundle_dir,
                                                      const util::SecretRegistry* registry);
// `crm-accept verify`: check_bundle(bundle_dir, nullptr).
[[nodiscard]] util::Result<VerifyReport> verify(const std::filesystem::path& bundle_dir);

[[nodiscard]] util::json::object to_json(const VerifyReport& r);
// problems(), then a line when the run did not finish, then a verdict line:
// clean | INCOMPLETE (trustworthy, run did not finish) | NOT CLEAN.
[[nodiscard]] std::string describe(const VerifyReport& r);

// An earlier bundle as merge and --rerun-failed see it: its typed 00-run.json (bundle.hpp).
// Scenario identity is the scenario file's sha256 recorded there; an empty one matches nothing.
struct EarlierBundle {
    std::filesystem::path dir;
    RunRecord run;
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
// Reads 00-run.json only (Bundle::read_run), no checks beyond parsing (merge takes the first
// shard's scenario as the reference this way). Refusal::invalid when it is not a bundle or the
// record does not parse.
[[nodiscard]] std::expected<EarlierBundle, Refusal> read_bundle_record(const std::filesystem::path& dir);

}  // namespace crm::harness::evidence
