#pragma once
// The runner's side of the evidence bundle: an ArtifactSink over evidence::BundleWriter, and the
// mappings from runner reports to the evidence model (CellSummary / RunSummary) and back (merge,
// --rerun-failed read finished cells from a bundle).
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/gate/gate.hpp"
#include "harness/runner/artifact_sink.hpp"
#include "harness/runner/runner.hpp"

namespace crm::harness::runner {

class EvidenceSink final : public ArtifactSink {
  public:
    explicit EvidenceSink(evidence::BundleWriter& writer) : m_writer(writer) {}
    [[nodiscard]] util::Result<void> write_json(std::string_view rel_path, const util::json::value& value) override;
    [[nodiscard]] util::Result<void> write_text(std::string_view rel_path, std::string_view text) override;
    [[nodiscard]] util::Result<void> write_cell_summary(const CellReport& report,
                                                        const util::json::object& observations) override;

  private:
    evidence::BundleWriter& m_writer;
};

// The evidence model of a cell: its classification, steps and its own gate decision.
[[nodiscard]] evidence::CellSummary to_cell_summary(const CellReport& report);

struct RunFacts {
    std::string scenario_name, scenario_path, scenario_sha256, label;
    std::string host_kind, host_url, host_version;
    std::string started_at, ended_at, timezone;
    std::string clock_override;  // CRM_ACCEPT_NOW in effect, if any
    std::string engine_state;    // path of the run's engine state file
    std::string engine_via;      // in_process | serve
    std::string engine_url;      // the control plane's URL when via serve
    std::vector<std::string> argv;
    util::json::value matrix;
    bool interrupted = false;
};

[[nodiscard]] evidence::RunSummary to_run_summary(const RunFacts& facts, const std::vector<CellReport>& cells,
                                                  const gate::GateDecision& gate, int exit_code);

// A finished cell of a bundle (evidence::Bundle) as a report: its recorded matrix cell, its
// classification, steps and the gate decision recorded in its 21-summary.json. Requires
// `cell.summary`.
[[nodiscard]] CellReport report_from_bundle(const evidence::BundleCell& cell);

}  // namespace crm::harness::runner
