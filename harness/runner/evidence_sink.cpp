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

evidence::CellSummary to_cell_summary(const CellReport& r, const gate::CellDecision* decision) {
    evidence::CellSummary c;
    if (r.cell.host_in_id) c.host = r.cell.host_name;
    c.mode = scenario::to_string(r.cell.mode);
    c.provider = r.cell.provider;
    c.pack = r.cell.pack;
    c.cause = classify::parse_cause(r.cause).value_or(classify::Cause::harness_error);
    c.verdict = classify::parse_verdict(r.verdict).value_or(classify::Verdict::error);
    if (r.cell.expected_cause) c.expected_cause = classify::parse_cause(*r.cell.expected_cause);
    const gate::CellDecision& d = decision ? *decision : r.gate;
    c.not_run = !r.started;
    c.gate_outcome = !r.started ? "not_run" : r.interrupted ? "interrupted" : gate::to_string(d.outcome);
    c.explanation = r.explanation;
    if (!d.reason.empty() && r.started) c.explanation = fmt::format("{} Gate: {}.", r.explanation, d.reason);
    c.rule_id = r.rule_id;
    c.elapsed_ms = static_cast<std::int64_t>(r.elapsed_ms);
    c.artifacts = r.evidence;
    c.notes = r.notes;
    for (const auto& s : r.steps) {
        auto state = s.status == "done"     ? evidence::StepState::ran
                     : s.status == "failed" ? evidence::StepState::failed
                                            : evidence::StepState::skipped;
        c.steps.emplace_back(step_name(s.number, s.step), state);
    }
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
    for (std::size_t i = 0; i < cells.size(); ++i)
        s.cells.push_back(to_cell_summary(cells[i], i < gate.cells.size() ? &gate.cells[i] : nullptr));
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
    CellReport r;
    r.cell.id = cell_dir.filename().string();
    r.cell.index = fallback_index;
    r.cell.host_name = c->host;
    r.cell.host_in_id = !c->host.empty();
    r.cell.mode = scenario::parse_mode(c->mode).value_or(scenario::Mode::self_service);
    r.cell.provider = c->provider;
    r.cell.pack = c->pack;
    if (c->expected_cause) r.cell.expected_cause = std::string(classify::to_string(*c->expected_cause));
    r.started = true;
    r.finished = true;
    r.cause = std::string(classify::to_string(c->cause));
    r.verdict = std::string(classify::to_string(c->verdict));
    r.explanation = c->explanation;
    r.rule_id = c->rule_id;
    r.evidence = c->artifacts;
    r.notes = c->notes;
    r.elapsed_ms = static_cast<double>(c->elapsed_ms);
    for (const auto& [name, state] : c->steps) {
        StepRecord s;
        s.number = std::atoi(name.c_str());
        auto dash = name.find('-');
        s.step = dash == std::string::npos ? name : name.substr(dash + 1);
        s.status = state == evidence::StepState::ran ? "done" : state == evidence::StepState::failed ? "failed" : "skipped";
        r.steps.push_back(std::move(s));
    }
    return r;
}

}  // namespace crm::harness::runner
