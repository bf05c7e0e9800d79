#include "harness/runner/evidence_sink.hpp"

#include <fmt/format.h>

#include "harness/classify/cause.hpp"
#include "harness/runner/cell_plan.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::harness::runner {

namespace json = util::json;

util::Result<void> EvidenceSink::write_json(std::string_view rel_path, const json::value& value) {
    return m_writer.write_json(rel_path, value);
}

util::Result<void> EvidenceSink::write_text(std::string_view rel_path, std::string_view text) {
    return m_writer.write_text(rel_path, text);
}

util::Result<void> EvidenceSink::write_cell_summary(const CellReport& report, const json::object& observations) {
    return m_writer.write_cell_summary(to_cell_summary(report), &observations);
}

evidence::CellSummary to_cell_summary(const CellReport& r) {
    evidence::CellSummary c;
    if (r.cell.host_in_id) c.host = r.cell.host_name;
    c.mode = scenario::to_string(r.cell.mode);
    c.provider = r.cell.provider;
    c.pack = r.cell.pack;
    c.cause = r.classification.cause;
    c.verdict = r.classification.verdict;
    c.expected_cause = r.cell.expected_cause;
    c.not_run = !r.started;
    c.interrupted = r.started && r.interrupted;
    const auto d = r.gate_decision();
    c.gate_outcome = d.outcome;
    if (r.started) c.gate_reason = d.reason;
    c.explanation = r.classification.explanation;
    c.rule_id = r.classification.rule_id;
    c.elapsed_ms = static_cast<std::int64_t>(r.elapsed_ms);
    c.artifacts = r.classification.evidence;
    c.notes = r.classification.notes;
    c.steps = r.steps;
    return c;
}

evidence::RunSummary to_run_summary(const RunFacts& f, const std::vector<CellReport>& cells,
                                    const gate::GateDecision& gate, int exit_code) {
    evidence::RunSummary s;
    s.scenario_name = f.scenario_name;
    s.scenario_path = f.scenario_path;
    s.scenario_sha256 = f.scenario_sha256;
    s.label = f.label;
    s.host_kind = f.host_kind;
    s.host_url = f.host_url;
    s.host_version = f.host_version;
    s.started_at = f.started_at;
    s.ended_at = f.ended_at;
    s.timezone = f.timezone;
    s.clock_override = f.clock_override;
    s.engine_state = f.engine_state;
    s.engine_via = f.engine_via;
    s.engine_url = f.engine_url;
    s.argv = f.argv;
    s.matrix = f.matrix;
    for (const auto& c : cells) s.cells.push_back(to_cell_summary(c));
    s.gate.passed = gate.passed && !f.interrupted;
    s.gate.decision = f.interrupted ? "interrupted" : gate.passed ? "passed" : "failed";
    int failing = 0;
    for (const auto& d : gate.cells) failing += d.passed ? 0 : 1;
    s.gate.reason = f.interrupted ? "the run was interrupted; the bundle is incomplete"
                    : gate.passed ? fmt::format("all {} cells pass the gate", gate.cells.size())
                                  : fmt::format("{} of {} cells do not pass the gate", failing, gate.cells.size());
    s.gate.notes = gate.notes;
    s.exit_code = exit_code;
    s.interrupted = f.interrupted;
    return s;
}

CellReport report_from_bundle(const evidence::BundleCell& bc) {
    const auto& plan = bc.plan;
    const auto& c = *bc.summary;
    CellReport r;
    r.cell.id = plan.id;
    r.cell.index = plan.index;
    r.cell.host_name = c.host;
    r.cell.host_in_id = !c.host.empty();
    r.cell.mode = plan.mode;
    r.cell.provider = c.provider;
    r.cell.pack = c.pack;
    r.cell.profile = plan.profile;
    r.cell.expected_cause = c.expected_cause;
    r.started = true;
    r.finished = !c.interrupted;
    r.interrupted = c.interrupted;
    r.classification = {c.cause, c.verdict, c.explanation, c.artifacts, c.rule_id, c.notes};
    if (!c.interrupted && !c.not_run)
        r.decision = gate::CellDecision{plan.id, c.gate_outcome, gate::outcome_passes(c.gate_outcome), c.gate_reason};
    r.elapsed_ms = static_cast<double>(c.elapsed_ms);
    r.steps = c.steps;
    return r;
}

}  // namespace crm::harness::runner
