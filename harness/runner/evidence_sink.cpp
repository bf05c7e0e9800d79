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
    s.engine_state = f.engine_state;
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

std::map<std::string, std::size_t> matrix_indexes(const json::value& run) {
    std::map<std::string, std::size_t> out;
    const auto* m = util::find(run, "matrix");
    const auto* cells = m ? util::find(*m, "cells_selected") : nullptr;
    if (!cells || !cells->is_array()) return out;
    for (const auto& c : cells->get_array()) {
        auto id = util::get_string(c, "cell");
        auto idx = util::get_int(c, "index");
        if (id && idx) out[*id] = static_cast<std::size_t>(*idx);
    }
    return out;
}

util::Result<CellReport> read_cell_report(const std::filesystem::path& cell_dir, std::size_t fallback_index) {
    auto path = cell_dir / "21-summary.json";
    auto text = util::read_input_file(path, util::k_max_bundle_record_bytes);
    if (!text) return std::unexpected(text.error());
    auto v = util::parse_json(*text, path.string());
    if (!v) return std::unexpected(v.error());
    auto c = evidence::cell_from_json(*v, path.string());
    if (!c) return std::unexpected(c.error());
    auto mode = scenario::parse_mode(c->mode);
    if (!mode)
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: mode: unknown mode '{}'", path.string(), c->mode));
    CellReport r;
    r.cell.id = cell_dir.filename().string();
    r.cell.index = fallback_index;
    r.cell.host_name = c->host;
    r.cell.host_in_id = !c->host.empty();
    r.cell.mode = *mode;
    r.cell.provider = c->provider;
    r.cell.pack = c->pack;
    r.cell.expected_cause = c->expected_cause;
    r.started = true;
    r.finished = !c->interrupted;
    r.interrupted = c->interrupted;
    r.classification = {c->cause, c->verdict, c->explanation, c->artifacts, c->rule_id, c->notes};
    if (!c->interrupted) r.decision = gate::CellDecision{r.cell.id, c->gate_outcome, gate::outcome_passes(c->gate_outcome), c->gate_reason};
    r.elapsed_ms = static_cast<double>(c->elapsed_ms);
    r.steps = c->steps;
    return r;
}

}  // namespace crm::harness::runner
