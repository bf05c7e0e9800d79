#include "harness/catalog/scenario_gate.hpp"

#include <fmt/format.h>

#include "harness/evidence/bundle.hpp"
#include "harness/scenario/duration.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"

namespace crm::harness::catalog {

util::Result<ScenarioGate> read_gate_file(const std::filesystem::path& scenario) {
    ScenarioGate out;
    out.scenario = scenario;
    CRM_TRY(text, util::read_input_file(out.scenario));
    CRM_TRY(doc, util::parse_json_relaxed(text, out.scenario.string()));
    const auto* gate = util::find(doc, "gate");
    if (!gate || !gate->is_object()) return out;
    if (const auto* age = util::find(*gate, "max_evidence_age")) {
        if (age->is_int64() && age->get_int64() > 0) {
            out.max_evidence_age = std::chrono::seconds(age->get_int64());
        } else if (age->is_string()) {
            auto parsed = scenario::parse_duration(age->get_string());
            if (!parsed)
                return util::fail(
                    util::ErrorCode::invalid_input,
                    fmt::format("{}: gate.max_evidence_age: {}", out.scenario.string(), parsed.error().message));
            out.max_evidence_age = *parsed;
        } else {
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("{}: gate.max_evidence_age: must be a duration", out.scenario.string()));
        }
    }
    if (auto baseline = util::get_string(*gate, "baseline"); baseline && !baseline->empty()) {
        std::filesystem::path bp(*baseline);
        out.baseline = (bp.is_absolute() ? bp : out.scenario.parent_path() / bp).lexically_normal();
    }
    return out;
}

const util::Result<ScenarioGate>& ScenarioGates::of_bundle(const std::filesystem::path& bundle_dir) {
    auto run = evidence::Bundle::read_run(bundle_dir);
    if (!run || run->scenario_path.empty()) {
        auto failed = run ? util::Result<ScenarioGate>(util::fail(
                                util::ErrorCode::not_found,
                                fmt::format("{}: 00-run.json records no scenario path", bundle_dir.string())))
                          : util::Result<ScenarioGate>(std::unexpected(run.error()));
        return m_failed_runs.insert_or_assign(bundle_dir, std::move(failed)).first->second;
    }
    const std::filesystem::path path = run->scenario_path;
    auto it = m_by_scenario.find(path);
    if (it == m_by_scenario.end()) it = m_by_scenario.emplace(path, read_gate_file(path)).first;
    return it->second;
}

}  // namespace crm::harness::catalog
