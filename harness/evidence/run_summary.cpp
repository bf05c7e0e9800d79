#include "harness/evidence/run_summary.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "harness/matrix/matrix.hpp"

namespace crm::harness::evidence {

namespace json = util::json;

std::string_view to_string(StepState s) noexcept {
    switch (s) {
        case StepState::ran:
            return "ran";
        case StepState::skipped:
            return "skipped";
        case StepState::failed:
            return "failed";
        case StepState::not_reached:
            return "not_reached";
    }
    return "failed";
}

std::optional<StepState> parse_step_state(std::string_view s) noexcept {
    if (s == "ran") return StepState::ran;
    if (s == "skipped") return StepState::skipped;
    if (s == "failed") return StepState::failed;
    if (s == "not_reached") return StepState::not_reached;
    return std::nullopt;
}

std::string StepRecord::label() const { return fmt::format("{:02}-{}", number, name); }

std::string_view CellSummary::gate_word() const {
    if (not_run) return k_not_run;
    if (interrupted) return "interrupted";
    return gate::to_string(gate_outcome);
}

std::string CellSummary::explanation_with_gate() const {
    if (gate_reason.empty() || not_run) return explanation;
    return fmt::format("{} Gate: {}.", explanation, gate_reason);
}

std::string CellSummary::folder() const { return matrix::cell_folder(host, mode, provider); }

json::object to_json(const CellSummary& c) {
    json::object o;
    o["folder"] = c.folder();
    if (!c.host.empty()) o["host"] = c.host;  // single-host cells keep the spec's key set
    o["mode"] = c.mode;
    o["provider"] = c.provider;
    o["pack"] = c.pack;
    o["cause"] = c.not_run ? std::string(k_not_run) : std::string(classify::to_string(c.cause));
    o["verdict"] = c.not_run ? std::string(k_not_run) : std::string(classify::to_string(c.verdict));
    o["blocks_release_by_default"] = !c.not_run && classify::blocks_release_by_default(c.cause);
    if (c.expected_cause)
        o["expected_cause"] = std::string(classify::to_string(*c.expected_cause));
    else
        o["expected_cause"] = nullptr;
    o["gate_outcome"] = c.gate_word();
    o["gate_reason"] = c.gate_reason;
    o["required"] = c.required;
    o["explanation"] = c.explanation;
    o["rule_id"] = c.rule_id;
    o["elapsed_ms"] = c.elapsed_ms;
    json::array artifacts;
    for (const auto& a : c.artifacts) artifacts.emplace_back(a);
    o["artifacts"] = std::move(artifacts);
    json::array notes;
    for (const auto& n : c.notes) notes.emplace_back(n);
    o["notes"] = std::move(notes);
    json::array steps;  // an array keeps the pipeline order
    for (const auto& st : c.steps) {
        json::object so{{"number", st.number},
                        {"name", st.label()},
                        {"state", std::string(to_string(st.state))},
                        {"elapsed_ms", st.elapsed_ms},
                        {"network_ms", st.network_ms}};
        if (!st.note.empty()) so["note"] = st.note;
        steps.emplace_back(std::move(so));
    }
    o["steps"] = std::move(steps);
    return o;
}

json::object to_json(const GateSummary& g) {
    json::array notes;
    for (const auto& n : g.notes) notes.emplace_back(n);
    return json::object{
        {"passed", g.passed}, {"decision", g.decision}, {"reason", g.reason}, {"notes", std::move(notes)}};
}

json::object run_json(const RunSummary& s, std::string_view status) {
    json::object o;
    o["schema_version"] = k_schema_version;
    o["kind"] = "crm-accept.run";
    o["status"] = status;
    o["interrupted"] = s.interrupted;
    o["tool"] = json::object{{"version", s.tool_version}, {"git_sha", s.git_sha}};
    o["scenario"] = json::object{{"name", s.scenario_name}, {"path", s.scenario_path}, {"sha256", s.scenario_sha256}};
    o["label"] = s.label;
    o["host"] = json::object{{"kind", s.host_kind}, {"url", s.host_url}, {"version", s.host_version}};
    o["started_at"] = s.started_at;
    o["ended_at"] = s.ended_at;
    o["timezone"] = s.timezone;
    if (!s.clock_override.empty()) o["clock_override"] = s.clock_override;
    json::array argv;
    for (const auto& a : s.argv) argv.emplace_back(a);
    o["argv"] = std::move(argv);
    o["matrix"] = s.matrix;
    // Where `crm-accept engine recover --db` finds what a killed run created on the host.
    if (!s.engine_state.empty()) o["engine_state"] = s.engine_state;
    if (!s.engine_via.empty()) {
        json::object e{{"via", s.engine_via}};
        if (!s.engine_url.empty()) e["url"] = s.engine_url;
        o["engine"] = std::move(e);
    }
    return o;
}

void mark_bundle_failed(RunSummary& s, std::size_t audit_hits, std::vector<std::string> problems) {
    s.audit_hits = audit_hits;
    s.bundle_problems = std::move(problems);
    // An interrupted run keeps its 130: the interrupt is why the bundle is short, and the audit
    // field still records what the check found.
    if (s.exit_code != k_interrupted_exit) s.exit_code = k_audit_failed_exit;
    s.gate.passed = false;
    s.gate.decision = "failed";
    if (audit_hits > 0) {
        s.gate.reason = fmt::format(
            "evidence audit failed: {} secret-shaped strings reached the bundle; do not share it", audit_hits);
    } else {
        const auto n = s.bundle_problems.size();
        s.gate.reason = fmt::format("the bundle fails verify: {}{}; do not share it",
                                    n > 0 ? s.bundle_problems.front() : std::string("unknown problem"),
                                    n > 1 ? fmt::format(" (and {} more)", n - 1) : std::string());
    }
}

json::object summary_json(const RunSummary& s, std::string_view status) {
    json::object o = run_json(s, status);
    o["kind"] = "crm-accept.summary";
    std::map<std::string, int> counts;
    for (auto v : classify::k_all_verdicts) counts[std::string(classify::to_string(v))] = 0;
    counts[std::string(k_not_run)] = 0;
    json::array cells;
    for (const auto& c : s.cells) {
        ++counts[c.not_run ? std::string(k_not_run) : std::string(classify::to_string(c.verdict))];
        cells.emplace_back(to_json(c));
    }
    json::object count_obj;
    for (const auto& [k, v] : counts) count_obj[k] = v;
    o["verdict_counts"] = std::move(count_obj);
    o["cells"] = std::move(cells);
    o["gate"] = to_json(s.gate);
    o["exit_code"] = s.exit_code;
    json::array problems;
    for (const auto& p : s.bundle_problems) problems.emplace_back(p);
    // "passed": the written bundle passes verify's checks (secrets and every other one).
    o["audit"] = json::object{{"passed", s.audit_hits == 0 && s.bundle_problems.empty()},
                              {"hits", s.audit_hits},
                              {"problems", std::move(problems)}};
    return o;
}

namespace {

struct Reader {
    const json::value& v;
    std::string_view source;
    std::string prefix;
    std::string error;

    void bad(std::string_view key, std::string_view what) {
        if (error.empty()) error = fmt::format("{}: {}{}: {}", source, prefix, key, what);
    }
    void str(std::string_view key, std::string& out) {
        const auto* f = util::find(v, key);
        if (!f || f->is_null()) return;
        if (!f->is_string()) return bad(key, "expected a string");
        out = std::string(f->get_string());
    }
    void strings(std::string_view key, std::vector<std::string>& out) {
        const auto* f = util::find(v, key);
        if (!f || f->is_null()) return;
        if (!f->is_array()) return bad(key, "expected an array of strings");
        for (const auto& e : f->get_array()) {
            if (!e.is_string()) return bad(key, "expected an array of strings");
            out.emplace_back(e.get_string());
        }
    }
    template <class I>
    void integer(std::string_view key, I& out) {
        if (auto i = util::get_int(v, key)) out = static_cast<I>(*i);
    }
    void boolean(std::string_view key, bool& out) {
        if (auto b = util::get_bool(v, key)) out = *b;
    }
};

// {"number": 9, "name": "09-models", "state": "ran", ...}. The number comes from "number", or
// from the name's two-digit prefix in summaries that have no "number"; both must agree.
std::optional<StepRecord> step_from_json(const json::value& v) {
    auto label = util::get_string(v, "name");
    auto state = parse_step_state(util::get_string(v, "state").value_or(""));
    if (!label || !state) return std::nullopt;
    auto dash = label->find('-');
    if (dash == std::string::npos || dash == 0) return std::nullopt;
    StepRecord st;
    auto [end, ec] = std::from_chars(label->data(), label->data() + dash, st.number);
    if (ec != std::errc{} || end != label->data() + dash) return std::nullopt;
    if (auto n = util::get_int(v, "number"); n && *n != st.number) return std::nullopt;
    st.name = label->substr(dash + 1);
    st.state = *state;
    st.note = util::get_string(v, "note").value_or("");
    st.elapsed_ms = util::get_number(v, "elapsed_ms").value_or(0);
    st.network_ms = util::get_number(v, "network_ms").value_or(0);
    return st;
}

}  // namespace

util::Result<CellSummary> cell_from_json(const json::value& v, std::string_view source) {
    if (!v.is_object())
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: a cell must be an object", source));
    CellSummary c;
    Reader r{v, source, "", {}};
    r.str("host", c.host);
    r.str("mode", c.mode);
    r.str("provider", c.provider);
    r.str("pack", c.pack);
    std::string cause, verdict, expected;
    r.str("cause", cause);
    r.str("verdict", verdict);
    r.str("expected_cause", expected);
    std::string outcome;
    r.str("gate_outcome", outcome);
    r.str("gate_reason", c.gate_reason);
    r.str("explanation", c.explanation);
    r.str("rule_id", c.rule_id);
    r.integer("elapsed_ms", c.elapsed_ms);
    r.boolean("required", c.required);
    r.strings("artifacts", c.artifacts);
    if (util::find(v, "notes")) r.strings("notes", c.notes);  // bundles before notes have none
    c.not_run = verdict == k_not_run;                         // a cell that never ran has neither cause nor verdict
    c.interrupted = outcome == "interrupted";
    if (!c.not_run && !c.interrupted) {
        if (auto po = gate::parse_outcome(outcome))
            c.gate_outcome = *po;
        else
            r.bad("gate_outcome", fmt::format("unknown gate outcome '{}'", outcome));
    }
    if (!c.not_run) {
        if (auto pc = classify::parse_cause(cause))
            c.cause = *pc;
        else
            r.bad("cause", fmt::format("unknown cause '{}'", cause));
        if (auto pv = classify::parse_verdict(verdict))
            c.verdict = *pv;
        else
            r.bad("verdict", fmt::format("unknown verdict '{}'", verdict));
    }
    if (!expected.empty()) {
        if (auto pe = classify::parse_cause(expected))
            c.expected_cause = *pe;
        else
            r.bad("expected_cause", fmt::format("unknown cause '{}'", expected));
    }
    if (const auto* steps = util::find(v, "steps"); steps && steps->is_array()) {
        for (const auto& s : steps->get_array()) {
            auto step = step_from_json(s);
            if (!step) {
                r.bad("steps", "each step needs a name \"NN-<step>\" and a state ran|skipped|failed|not_reached");
                break;
            }
            c.steps.push_back(std::move(*step));
        }
    }
    if (!r.error.empty()) return util::fail(util::ErrorCode::invalid_input, r.error);
    return c;
}

util::Result<RunSummary> run_summary_from_json(const json::value& v, std::string_view source) {
    if (!v.is_object()) return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: not a JSON object", source));
    auto version = util::get_int(v, "schema_version");
    if (!version) return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: missing schema_version", source));
    if (*version != k_schema_version) {
        return util::fail(
            util::ErrorCode::invalid_input,
            fmt::format("{}: unsupported schema_version {} (this build reads {})", source, *version, k_schema_version));
    }
    RunSummary s;
    Reader r{v, source, "", {}};
    r.str("label", s.label);
    r.str("started_at", s.started_at);
    r.str("ended_at", s.ended_at);
    r.str("timezone", s.timezone);
    r.str("clock_override", s.clock_override);
    r.strings("argv", s.argv);
    r.boolean("interrupted", s.interrupted);
    r.integer("exit_code", s.exit_code);
    if (const auto* t = util::find(v, "tool")) {
        Reader tr{*t, source, "tool.", {}};
        tr.str("version", s.tool_version);
        tr.str("git_sha", s.git_sha);
        if (!tr.error.empty()) r.error = tr.error;
    }
    if (const auto* sc = util::find(v, "scenario")) {
        Reader sr{*sc, source, "scenario.", {}};
        sr.str("name", s.scenario_name);
        sr.str("path", s.scenario_path);
        sr.str("sha256", s.scenario_sha256);
        if (!sr.error.empty() && r.error.empty()) r.error = sr.error;
    }
    if (const auto* h = util::find(v, "host")) {
        Reader hr{*h, source, "host.", {}};
        hr.str("kind", s.host_kind);
        hr.str("url", s.host_url);
        hr.str("version", s.host_version);
        if (!hr.error.empty() && r.error.empty()) r.error = hr.error;
    }
    if (const auto* m = util::find(v, "matrix")) s.matrix = *m;
    if (const auto* g = util::find(v, "gate")) {
        Reader gr{*g, source, "gate.", {}};
        gr.boolean("passed", s.gate.passed);
        gr.str("decision", s.gate.decision);
        gr.str("reason", s.gate.reason);
        gr.strings("notes", s.gate.notes);
        if (!gr.error.empty() && r.error.empty()) r.error = gr.error;
    }
    if (!r.error.empty()) return util::fail(util::ErrorCode::invalid_input, r.error);
    if (const auto* cells = util::find(v, "cells"); cells && cells->is_array()) {
        std::size_t i = 0;
        for (const auto& c : cells->get_array()) {
            CRM_TRY(cell, cell_from_json(c, fmt::format("{}: cells[{}]", source, i++)));
            s.cells.push_back(std::move(cell));
        }
    }
    return s;
}

}  // namespace crm::harness::evidence
