#include "harness/runner/cell_pipeline.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"
#include "harness/evidence/clock.hpp"
#include "harness/runner/cell_run.hpp"

namespace crm::harness::runner {

namespace json = util::json;
using Clock = std::chrono::steady_clock;

std::string now_iso_with_offset() { return evidence::iso8601(evidence::now()); }

json::value error_json(const util::Error& e) {
    json::object o;
    o["ok"] = false;
    o["error"] = json::object{{"code", util::to_string(e.code)}, {"message", e.message}, {"context", e.context}};
    return o;
}

CellSettings CellSettings::from(const scenario::Scenario& s) {
    return CellSettings{s.name, s.source_path, s.sha256, s.label, s.steps, s.timeouts};
}

CellRun::CellRun(const CellServices& services, const CellSettings& settings, const matrix::Cell& cell,
                 const std::atomic<bool>& interrupted, RunEvents& events)
    : m_services(services),
      m_settings(settings),
      m_cell(cell),
      m_interrupted(interrupted),
      m_events(events),
      m_host(services.hosts.at(cell.host_index)),
      m_plan(plan_cell(cell, settings.steps)),
      m_prefix(matrix::resource_prefix(services.run_token, cell)),
      m_engine(engine::EngineDeps{services.store,
                                  services.http,
                                  services.secrets,
                                  services.env,
                                  services.packs,
                                  nullptr,
                                  {},
                                  engine::filesystem_reader(),
                                  &services.sessions}) {
    if (services.serve)
        m_ops = std::make_unique<ServeOps>(*services.serve, services.store, services.secrets, cell.provider);
    else
        m_ops = std::make_unique<InProcessOps>(m_engine);
    m_report.cell = cell;
    m_obs.mode = scenario::to_string(cell.mode);
    m_obs.provider = cell.provider;
    m_obs.stream_enabled = settings.steps.stream_smoke;
}

void CellRun::write_json(std::string_view file, const json::value& v) {
    auto r = m_services.sink.write_json(fmt::format("{}/{}", m_cell.id, file), v);
    if (!r) m_write_errors.push_back(r.error().message);
}

void CellRun::write_text(std::string_view file, std::string_view text) {
    auto r = m_services.sink.write_text(fmt::format("{}/{}", m_cell.id, file), text);
    if (!r) m_write_errors.push_back(r.error().message);
}

probes::Timeouts CellRun::timeouts() const {
    const auto& t = m_settings.timeouts;
    return probes::Timeouts{t.connect, t.total, t.idle};
}

CellRun::Action CellRun::action_of(StepAction action) {
    switch (action) {
        case StepAction::cell:
            return &CellRun::do_cell;
        case StepAction::host_health:
            return &CellRun::do_health;
        case StepAction::host_capabilities:
            return &CellRun::do_capabilities;
        case StepAction::pack:
            return &CellRun::do_pack;
        case StepAction::preview:
            return &CellRun::do_preview;
        case StepAction::import:
            return &CellRun::do_import;
        case StepAction::account_probe:
            return &CellRun::do_account_probe;
        case StepAction::access_status:
            return &CellRun::do_access;
        case StepAction::mode_state:
            return &CellRun::do_mode_state;
        case StepAction::models:
            return &CellRun::do_gateway_models;
        case StepAction::chat:
            return &CellRun::do_gateway_chat;
        case StepAction::chat_stream:
            return &CellRun::do_gateway_stream;
        case StepAction::accounts_state:
            return &CellRun::do_accounts_state;
        case StepAction::reconcile:
            return &CellRun::do_reconcile;
        case StepAction::upstream_models:
            return &CellRun::do_upstream_models;
        case StepAction::upstream_chat:
            return &CellRun::do_upstream_chat;
        case StepAction::rollback:
            return &CellRun::do_rollback;
        case StepAction::summary:
            return nullptr;  // the summary phase, not a step record
    }
    return nullptr;
}

// An upstream step's own time is its probe's on the lane; what the cell waited for it (the part
// not overlapped by host steps) is what counts towards the cell's network wait, so overlapping
// waits are counted once.
bool CellRun::run_step(const PlannedStep& step, std::string note) {
    StepRecord rec;
    rec.number = step.number;
    rec.name = step.step;
    rec.note = std::move(note);
    if (m_stopped) {
        rec.state = StepState::not_reached;
        m_report.steps.push_back(rec);
        return false;
    }
    if (!step.enabled) {
        rec.state = StepState::skipped;
        rec.note = step.skip_reason;
        m_report.steps.push_back(rec);
        return true;
    }
    m_events.step_started(m_cell, step.number, step.step);
    auto t0 = Clock::now();
    const Action action = action_of(step.action);
    // Only the summary has no action, and it is a phase the pipeline runs itself: reaching it
    // here is a bug, which the scheduler records as this cell's harness_error.
    if (action == nullptr) throw std::logic_error(fmt::format("step {:02} is not run as a step", step.number));
    bool go_on = (this->*action)(step);
    const double waited = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    rec.elapsed_ms = waited;
    if (step.target == StepTarget::upstream && m_upstream.started()) {
        const auto& lane = m_upstream.join();
        rec.elapsed_ms = step.action == StepAction::upstream_models ? lane.models_ms : lane.chat_ms;
    }
    if (step.touches_network) {
        rec.network_ms = rec.elapsed_ms;
        m_report.network_ms += waited;
    }
    rec.state = go_on ? StepState::ran : StepState::failed;
    m_report.steps.push_back(rec);
    if (!go_on) m_stopped = true;
    if (go_on && !m_stopped && !m_interrupted.load()) start_upstream_lane(step.number);
    return go_on;
}

// Rollback runs whenever something was imported and rollback is on, and always after an
// interrupt (even with steps.rollback off), whether or not probing stopped early.
void CellRun::run_rollback_phase(const PlannedStep& step, bool interrupted) {
    const bool stopped_before = m_stopped;
    m_stopped = false;
    if (m_state.batch_id && interrupted && !step.enabled) {
        PlannedStep forced = step;
        forced.enabled = true;
        run_step(forced, "interrupted: rolled back");
    } else {
        run_step(step, m_state.batch_id && interrupted ? "interrupted: rolled back" : "");
    }
    m_stopped = stopped_before;
}

void CellRun::summarize() {
    m_report.classification = classify::classify(m_obs, m_services.rules);
    // Evidence we could not write is evidence we cannot vouch for.
    if (!m_write_errors.empty()) harness_error("could not write artifacts: " + m_write_errors.front());
    m_report.decision = gate::decide_cell(m_report.gate_input(), m_services.gate);
    m_report.finished = true;
    if (auto r = m_services.sink.write_cell_summary(m_report, classify::to_json(m_obs)); !r) {
        harness_error("could not write 21-summary: " + r.error().message);
        m_report.decision = gate::decide_cell(m_report.gate_input(), m_services.gate);
    }
}

void CellRun::harness_error(std::string explanation) {
    m_report.classification.cause = classify::Cause::harness_error;
    m_report.classification.verdict = classify::Verdict::error;
    m_report.classification.explanation = std::move(explanation);
}

CellReport CellRun::run() {
    auto t0 = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
    m_report.started = true;
    m_report.started_at = now_iso_with_offset();
    bool interrupted = false;
    for (const auto& step : m_plan) {
        switch (step.phase) {
            case StepPhase::provision:
                run_step(step);
                break;
            case StepPhase::probe:
                // An interrupt stops probing; what was imported is still rolled back below.
                if (m_interrupted.load()) m_stopped = true;
                run_step(step);
                break;
            case StepPhase::rollback:
                (void)m_upstream.join();  // nothing of the cell's is in flight while it rolls back
                interrupted = m_interrupted.load();
                run_rollback_phase(step, interrupted);
                break;
            case StepPhase::summary:
                if (interrupted) {
                    m_report.interrupted = true;
                    m_report.classification.explanation = "interrupted: stopped probing";
                    m_report.elapsed_ms = elapsed();
                    return m_report;
                }
                m_report.elapsed_ms = elapsed();
                summarize();
                break;
        }
    }
    m_report.elapsed_ms = elapsed();
    return m_report;
}

CellPipeline::CellPipeline(PipelineDeps deps, engine::HostSessions* sessions)
    : m_deps(std::move(deps)), m_settings(CellSettings::from(m_deps.scenario)), m_sessions(sessions) {
    if (!m_sessions) {
        m_own_sessions = std::make_unique<engine::HostSessions>(m_deps.http, m_deps.secrets);
        m_sessions = m_own_sessions.get();
    }
}

CellReport CellPipeline::run_cell(const matrix::Cell& cell, const std::atomic<bool>& interrupted, RunEvents& events) {
    const CellServices services{m_deps.hosts, m_deps.store, m_deps.http, m_deps.secrets,   m_deps.env,  m_deps.packs,
                                m_deps.rules, m_deps.sink,  m_deps.gate, m_deps.run_token, *m_sessions, m_deps.serve};
    CellRun run(services, m_settings, cell, interrupted, events);
    return run.run();
}

}  // namespace crm::harness::runner
