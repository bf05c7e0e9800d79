#pragma once
// The run's bundle directory as the runner uses it (spec §4): a dated folder, artifacts written
// scrubbed and atomically through ArtifactSink, 00-run.json that says `incomplete` until the
// run finalizes, summary.json, junit.xml, summary.md, MANIFEST.sha256 written last, then the
// audit (every registered secret and every secret-shaped string, in every file).
//
// Thread-safe for artifact writes. The registry is borrowed and must outlive the bundle.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/gate/gate.hpp"
#include "harness/runner/artifact_sink.hpp"
#include "harness/runner/runner.hpp"
#include "util/secrets.hpp"

namespace crm::harness::runner {

struct AuditHit {
    std::string file;  // relative to the bundle root
    util::Leak leak;
};

class RunBundle final : public ArtifactSink {
public:
    // Creates <out_root>/<YYYYMMDD_HHMMSS>_<scenario>[_<label>] (suffix _2, _3 ... when taken).
    [[nodiscard]] static util::Result<RunBundle> create(const std::filesystem::path& out_root,
                                                        std::string_view scenario_name, std::string_view label,
                                                        util::SecretRegistry& secrets);
    // Opens an existing directory (merge output, tests).
    [[nodiscard]] static RunBundle at(std::filesystem::path dir, util::SecretRegistry& secrets);

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    [[nodiscard]] util::Result<void> write_json(std::string_view rel_path, const util::json::value& value) override;
    [[nodiscard]] util::Result<void> write_text(std::string_view rel_path, std::string_view text) override;

    // Writes MANIFEST.sha256 over every file but itself (sorted paths, "<sha>  <path>").
    [[nodiscard]] util::Result<void> write_manifest();
    // Scans every file for registered secrets and secret-shaped strings.
    [[nodiscard]] util::Result<std::vector<AuditHit>> audit() const;

    RunBundle(RunBundle&&) noexcept = default;

private:
    RunBundle(std::filesystem::path dir, util::SecretRegistry& secrets) : m_dir(std::move(dir)), m_secrets(&secrets) {}
    std::filesystem::path m_dir;
    util::SecretRegistry* m_secrets;
};

// The run-level summary documents derived from cell reports and the gate decision.
struct RunSummaryInput {
    std::string scenario_name;
    std::string scenario_path;
    std::string scenario_sha256;
    std::string label;
    std::string started_at;
    std::string finished_at;
    bool complete = true;
    bool interrupted = false;
    std::vector<CellReport> cells;  // matrix order
    gate::GateDecision gate;
    int exit_code = 0;
};

[[nodiscard]] util::json::value summary_json(const RunSummaryInput& in);
[[nodiscard]] std::string summary_markdown(const RunSummaryInput& in);
[[nodiscard]] std::string junit_xml(const RunSummaryInput& in);

// Writes summary.json, summary.md, junit.xml into the bundle.
[[nodiscard]] util::Result<void> write_summaries(RunBundle& bundle, const RunSummaryInput& in);

// Reads a finished cell report back from <bundle>/<cell>/21-summary.json (merge, rerun).
[[nodiscard]] util::Result<CellReport> read_cell_report(const std::filesystem::path& cell_dir);

}  // namespace crm::harness::runner
