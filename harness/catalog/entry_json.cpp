#include "harness/catalog/entry_json.hpp"

#include <fmt/format.h>

namespace crm::harness::catalog {

namespace json = util::json;

namespace {

json::value opt_word(const std::optional<classify::Cause>& c) {
    return c ? json::value(std::string(classify::to_string(*c))) : json::value(nullptr);
}

util::Error bad(std::string_view source, std::string_view field, std::string_view what) {
    return util::Error{util::ErrorCode::invalid_input, fmt::format("{}: {}: {}", source, field, what), {}, 0, {}};
}

// An optional enum field: null or absent is nullopt, an unknown word is an error.
template <typename T, typename Parse>
util::Result<std::optional<T>> opt_enum(const json::value& v, std::string_view key, std::string_view source,
                                        Parse parse) {
    const auto* f = util::find(v, key);
    if (!f || f->is_null()) return std::optional<T>{};
    if (!f->is_string()) return std::unexpected(bad(source, key, "not a string"));
    auto parsed = parse(std::string_view(f->get_string()));
    if (!parsed) return std::unexpected(bad(source, key, fmt::format("unknown value '{}'", f->get_string().c_str())));
    return std::optional<T>(*parsed);
}

}  // namespace

json::object to_json(const CellEntry& c) {
    json::object o;
    o["id"] = c.id;
    o["host_key"] = c.host_key;
    o["host_name"] = c.host_name;
    o["mode"] = scenario::to_string(c.mode);
    o["provider"] = c.provider;
    o["finished"] = c.finished;
    o["cause"] = opt_word(c.cause);
    o["verdict"] = c.verdict ? json::value(std::string(classify::to_string(*c.verdict))) : json::value(nullptr);
    o["expected_cause"] = opt_word(c.expected_cause);
    o["gate_outcome"] = gate::to_string(c.gate_outcome);
    o["gate_word"] = c.gate_word;
    o["explanation"] = c.explanation;
    o["started_at"] = c.started_at;
    o["elapsed_ms"] = c.elapsed_ms;
    return o;
}

util::Result<CellEntry> cell_entry_from_json(const json::value& v, std::string_view source) {
    if (!v.is_object()) return std::unexpected(bad(source, "cell", "not an object"));
    CellEntry c;
    c.id = util::get_string(v, "id").value_or("");
    c.host_key = util::get_string(v, "host_key").value_or("");
    c.host_name = util::get_string(v, "host_name").value_or("");
    const auto mode = util::get_string(v, "mode").value_or("");
    auto parsed_mode = scenario::parse_mode(mode);
    if (!parsed_mode) return std::unexpected(bad(source, "mode", fmt::format("unknown value '{}'", mode)));
    c.mode = *parsed_mode;
    c.provider = util::get_string(v, "provider").value_or("");
    c.finished = util::get_bool(v, "finished").value_or(false);
    CRM_TRY(cause, opt_enum<classify::Cause>(v, "cause", source, classify::parse_cause));
    c.cause = cause;
    CRM_TRY(verdict, opt_enum<classify::Verdict>(v, "verdict", source, classify::parse_verdict));
    c.verdict = verdict;
    CRM_TRY(expected, opt_enum<classify::Cause>(v, "expected_cause", source, classify::parse_cause));
    c.expected_cause = expected;
    const auto outcome = util::get_string(v, "gate_outcome").value_or("");
    auto parsed_outcome = gate::parse_outcome(outcome);
    if (!parsed_outcome)
        return std::unexpected(bad(source, "gate_outcome", fmt::format("unknown value '{}'", outcome)));
    c.gate_outcome = *parsed_outcome;
    c.gate_word = util::get_string(v, "gate_word").value_or("");
    c.explanation = util::get_string(v, "explanation").value_or("");
    c.started_at = util::get_string(v, "started_at").value_or("");
    c.elapsed_ms = util::get_int(v, "elapsed_ms").value_or(0);
    return c;
}

json::array cells_to_json(const std::vector<CellEntry>& cells) {
    json::array a;
    for (const auto& c : cells) a.push_back(to_json(c));
    return a;
}

util::Result<std::vector<CellEntry>> cells_from_json(const json::value& v, std::string_view source) {
    if (!v.is_array()) return std::unexpected(bad(source, "cells", "not an array"));
    std::vector<CellEntry> out;
    for (const auto& c : v.get_array()) {
        CRM_TRY(cell, cell_entry_from_json(c, source));
        out.push_back(std::move(cell));
    }
    return out;
}

json::object to_json(const BundleEntry& e) {
    json::object o;
    o["name"] = e.name;
    o["dir"] = e.dir.string();
    o["stamp"] = e.stamp;
    o["scenario"] = e.scenario;
    o["scenario_sha256"] = e.scenario_sha256;
    o["label"] = e.label;
    o["host"] = json::object{{"kind", e.host_kind},
                             {"url", e.host_url},
                             {"version", e.host_version},
                             {"key", host_key(e.host_kind, e.host_url, e.scenario,
                                              e.cells.empty() ? std::string_view{} : e.cells.front().host_name)}};
    o["started_at"] = e.started_at;
    o["ended_at"] = e.ended_at;
    o["clock_override"] = e.clock_override;
    o["status"] = e.status;
    o["interrupted"] = e.interrupted;
    o["writing"] = e.writing;
    o["trust"] = to_string(e.trust);
    o["trust_reason"] = e.trust_reason;
    o["gate"] = json::object{{"decision", e.gate_decision}, {"passed", e.gate_passed}};
    o["exit_code"] = e.exit_code;
    o["size_bytes"] = e.size_bytes;
    o["manifest_sha256"] = e.manifest_sha256;
    json::object counts;
    for (const auto& [word, n] : e.verdict_counts()) counts[word] = n;
    o["verdict_counts"] = std::move(counts);
    o["cells"] = cells_to_json(e.cells);
    return o;
}

}  // namespace crm::harness::catalog
