// The provisioning steps of a cell (00-05) and its rollback (20): what the engine, the system
// under test, does to the host, written as the plan names each artifact.
#include <fmt/format.h>

#include "engine/packs/upstream_override.hpp"
#include "harness/runner/cell_run.hpp"
#include "harness/runner/observation_fill.hpp"
#include "util/version.hpp"

namespace crm::harness::runner {

namespace json = util::json;

engine::ImportRequest CellRun::import_request() const {
    return engine::ImportRequest{
        m_cell.pack, m_cell.provider, {to_engine(m_cell.mode)}, m_prefix, m_services.run_token};
}

bool CellRun::do_cell(const PlannedStep& step) {
    const auto& s = m_settings;
    json::object o;
    o["scenario"] = json::object{
        {"name", s.scenario_name}, {"path", s.scenario_path}, {"sha256", s.scenario_sha256}, {"label", s.label}};
    o["cell"] = m_cell.id;
    o["index"] = m_cell.index;
    o["mode"] = scenario::to_string(m_cell.mode);
    o["pack"] = m_cell.pack;
    o["provider"] = m_cell.provider;
    if (const auto* pack = m_services.packs.find_pack(m_cell.pack)) o["pack_version"] = pack->version;
    o["profile"] = m_cell.profile;
    o["expected_cause"] =
        m_cell.expected_cause ? json::value(classify::to_string(*m_cell.expected_cause)) : json::value(nullptr);
    o["host"] = json::object{
        {"name", m_cell.host_name}, {"url", m_host.target.url}, {"kind", scenario::to_string(m_host.kind)}};
    o["resource_prefix"] = m_prefix;
    o["tool"] = json::object{{"name", "crm-accept"}, {"version", util::k_tool_version}, {"git_sha", util::k_git_sha}};
    o["started_at"] = m_report.started_at;
    write_json(step.file(".json"), o);
    return true;
}

bool CellRun::do_health(const PlannedStep& step) {
    const auto& url = m_host.target.url;
    probes::HttpRequest h;
    h.url = url + "/health";
    h.timeouts = timeouts();
    auto health = probes::run_exchange(m_services.http, h, {"host", "GET", h.url, probes::AuthStyle::none, ""});
    probes::HttpRequest p;
    p.url = url + "/api/v1/settings/public";
    p.timeouts = timeouts();
    auto settings = probes::run_exchange(m_services.http, p, {"host", "GET", p.url, probes::AuthStyle::none, ""});
    write_json(step.file(".json"), json::object{{"health", health.to_json()}, {"settings_public", settings.to_json()}});
    fill_host_health(m_obs, health);
    return health.answered();
}

bool CellRun::do_capabilities(const PlannedStep& step) {
    auto caps = m_engine.probe_host(m_host.target);
    if (!caps) {
        write_json(step.file(".json"), error_json(caps.error()));
        fill_host_error(m_obs, caps.error());
        return false;
    }
    write_json(step.file(".json"), caps->to_json());
    fill_capabilities(m_obs, *caps);
    return caps->admin_auth_ok;
}

bool CellRun::do_pack(const PlannedStep& step) {
    auto p = m_services.packs.find(m_cell.pack, m_cell.provider);
    if (!p) {
        write_json(step.file(".json"), error_json(p.error()));
        m_obs.engine.harness_error = p.error().message;
        return false;
    }
    m_state.provider = engine::with_override(**p, m_host.target.upstreams);
    m_obs.smoke_model = m_state.provider->smoke_test_model;
    write_json(step.file(".json"), m_state.provider->to_json());
    return true;
}

bool CellRun::do_preview(const PlannedStep& step) {
    auto plan = m_engine.preview(m_host.target, import_request());
    write_json(step.file(".json"), plan ? plan->to_json() : error_json(plan.error()));
    if (!plan)
        fill_import_error(m_obs, plan.error());
    else
        fill_preview_warnings(m_obs, *plan);
    return plan.has_value();
}

bool CellRun::do_import(const PlannedStep& step) {
    // Owned by this run: if the run dies, `engine recover` on its state file removes the batch
    // whatever its status.
    auto out = m_ops->import(m_host.target, import_request());
    if (!out) {
        write_json(step.file(".json"), error_json(out.error()));
        fill_import_error(m_obs, out.error());
        return false;
    }
    write_json(step.file(".json"), out->to_json());
    m_state.batch_id = out->batch_id;
    m_report.imported = out->batch_id > 0;
    fill_import(m_obs, *out);
    return out->batch_status == engine::BatchStatus::succeeded;
}

bool CellRun::do_rollback(const PlannedStep& step) {
    if (!m_state.batch_id) {
        write_json(step.file(".json"), json::object{{"ok", true}, {"note", "nothing was imported"}});
        return true;
    }
    auto r = m_ops->rollback(m_host.target, *m_state.batch_id);
    write_json(step.file(".json"), r ? r->to_json() : error_json(r.error()));
    if (r) {
        fill_rollback(m_obs, *r);
        m_report.rolled_back = r->batch_status == engine::BatchStatus::rolled_back;
    } else {
        m_obs.rollback.ran = true;
        m_obs.rollback.status = "rollback_failed";
        m_obs.rollback.error = r.error().message;
    }
    return true;
}

}  // namespace crm::harness::runner
