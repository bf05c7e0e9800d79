#pragma once
// `crm-accept verify BUNDLE`: can this bundle be trusted without re-running anything?
//   - MANIFEST.sha256 present and matching (no modified, missing or extra file)
//   - no secret-shaped string in any file (the run's registry is unknown here)
//   - every *.json parses and carries "schema_version"
//   - 00-run.json says "complete"
// A directory that is not a bundle (neither 00-run.json nor MANIFEST.sha256) or cannot be read
// is an error (exit 3); a readable bundle that fails any check is not clean (exit 4).
#include <filesystem>
#include <string>
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
    [[nodiscard]] bool clean() const {
        return manifest_ok() && audit_hits.empty() && missing_schema_version.empty() && complete();
    }
};

[[nodiscard]] util::Result<VerifyReport> verify(const std::filesystem::path& bundle_dir);

[[nodiscard]] util::json::object to_json(const VerifyReport& r);
// One line per problem, then a verdict line; no trailing noise when clean.
[[nodiscard]] std::string describe(const VerifyReport& r);

}  // namespace crm::harness::evidence
