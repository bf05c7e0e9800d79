#pragma once
// The evidence bundle writer:
//   <root>/<YYYYMMDD_HHMMSS>_<scenario>[_<label>]/      (suffix _2, _3 ... when the name is taken)
//     00-run.json                 written by begin() as "incomplete", rewritten by finalize()
//     <mode>__<provider>/NN-*     the runner's cell artifacts (write_json / write_text)
//     <mode>__<provider>/21-summary.json|.md   write_cell_summary()
//     summary.json summary.md junit.xml report.html    finalize()
//     MANIFEST.sha256             finalize(), always last
// Every write is scrubbed through the SecretRegistry first (JSON strings before serialising and
// the serialised text again), text is made valid UTF-8 (ill-formed bytes become U+FFFD: a host
// may send anything, a bundle holds text), then written atomically (util::write_atomic); every JSON document
// carries "schema_version" (injected first when absent; a non-object is wrapped as
// {"schema_version":1,"data":...}). A run that never reaches finalize(complete) leaves
// 00-run.json "incomplete" and is never reported as passing.
//
// Thread-safe: cells write concurrently to different files. The registry is borrowed and must
// outlive the writer.
//
// While it writes, the writer holds the bundle's write lock (bundle_lock.hpp) from create() until
// finalize() returns or the writer is destroyed, so a catalog never takes a bundle that is still
// being written for one that a run left incomplete. Move-only.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/audit.hpp"
#include "harness/evidence/bundle_lock.hpp"
#include "harness/evidence/report.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/evidence/timestamp.hpp"
#include "harness/evidence/verify.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::harness::evidence {

inline constexpr const char* k_default_bundle_root = "artifacts/real-host-acceptance";

struct BundleOptions {
    std::filesystem::path root = k_default_bundle_root;
    std::string scenario;  // name part of the folder (sanitised)
    std::string label;     // optional suffix (sanitised)
    TimePoint started = std::chrono::system_clock::now();
    bool utc = false;                     // folder stamp in UTC instead of local time
    std::filesystem::path templates_dir;  // empty: the embedded templates
};

struct FinalizeResult {
    std::filesystem::path manifest;
    // verify's check of the bundle as finally written, with the run's registry. Not trustworthy:
    // the run must exit 4 (`summary` already says so).
    VerifyReport check;
    // The summary as written to the bundle (after mark_bundle_failed when the check failed): what
    // the caller prints must be this, so the terminal and the bundle never disagree.
    RunSummary summary;
    [[nodiscard]] bool passed() const { return check.trustworthy(); }
};

class BundleWriter {
  public:
    // Creates the dated folder and takes its write lock. Fails (io) when it cannot be created or
    // locked, (invalid_input) when the template override directory is unreadable.
    [[nodiscard]] static util::Result<BundleWriter> create(const BundleOptions& options,
                                                           const util::SecretRegistry& secrets);
    // Writes into an existing directory (tests); embedded templates. Takes the write lock when no
    // one else holds it (best effort: the folder is not one this writer created).
    [[nodiscard]] static BundleWriter open(std::filesystem::path dir, const util::SecretRegistry& secrets);

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

    // `rel_path` is relative to the bundle root ("self_service__deepseek/10-chat.json"); absolute
    // paths, ".." and empty components are invalid_input.
    [[nodiscard]] util::Result<void> write_json(std::string_view rel_path, const util::json::value& value);
    [[nodiscard]] util::Result<void> write_text(std::string_view rel_path, std::string_view text);

    // 00-run.json with status "incomplete" (call before the first cell runs).
    [[nodiscard]] util::Result<void> begin(const RunSummary& run);
    // <cell folder>/21-summary.json (+ the observations view when given) and 21-summary.md.
    [[nodiscard]] util::Result<void> write_cell_summary(const CellSummary& cell,
                                                        const util::json::object* observations = nullptr);
    // summary.json, summary.md, junit.xml, report.html, 00-run.json ("complete" when `complete`,
    // else still "incomplete"), then MANIFEST.sha256 last, then verify's own check
    // (check_bundle with the registry). When the bundle is not trustworthy, all of them are
    // rewritten to record why (mark_bundle_failed: exit_code 4, gate failed, "audit"), the
    // manifest is recomputed and the bundle checked again; that last check is returned. The write
    // lock is released once the bundle is final (after the check, also when it failed).
    [[nodiscard]] util::Result<FinalizeResult> finalize(const RunSummary& run, bool complete = true);

    // Audits the bundle as it is now (registered secrets + secret-shaped strings).
    [[nodiscard]] util::Result<std::vector<AuditHit>> audit() const;

  private:
    BundleWriter(std::filesystem::path dir, const util::SecretRegistry& secrets, Templates templates, BundleLock lock)
        : m_dir(std::move(dir)), m_secrets(&secrets), m_templates(std::move(templates)), m_lock(std::move(lock)) {}
    [[nodiscard]] util::Result<std::filesystem::path> resolve(std::string_view rel_path) const;
    [[nodiscard]] RunSummary with_provenance(const RunSummary& run) const;
    // Every run-level file and the manifest, for one summary and status.
    [[nodiscard]] util::Result<void> write_run_files(const RunSummary& run, const std::string& status);

    std::filesystem::path m_dir;
    const util::SecretRegistry* m_secrets;
    Templates m_templates;
    BundleLock m_lock;
};

// The folder name for a run: "<stamp>_<scenario>[_<label>]". A scenario name or label that is
// secret-shaped or holds a value registered in `secrets` becomes "redacted": names are printed,
// listed and uploaded, and no audit reads them.
[[nodiscard]] std::string bundle_folder_name(const BundleOptions& options,
                                             const util::SecretRegistry* secrets = nullptr);

}  // namespace crm::harness::evidence
