#include "harness/runner/cell_pipeline.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <optional>

#include "engine/packs/key_source.hpp"
#include "engine/packs/upstream_override.hpp"
#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/runner/observation_fill.hpp"
#include "harness/runner/probe_retry.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "util/version.hpp"

namespace crm::harness::runner {

namespace json = util::json;
using Clock = std::chrono::steady_clock;

std::string now_iso_with_offset() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    std::string s(buf);
    if (s.size() >= 5) s.insert(s.size() - 2, ":");  // +0800 -> +08:00
    return s;
}

namespace {

engine::AccessMode to_engine(scenario::Mode m) {
    return m == scenario::Mode::self_service ? engine::AccessMode::self_service : engine::AccessMode::subscription;
}

json::value error_json(const util::Error& e) {
    json::object o;
    o["ok"] = false;
    o["error"] = json::object{{"code", util::to_string(e.code)}, {"message", e.message}, {"context", e.context}};
    return o;
}

// The probe's artifact JSON with the number of attempts `timeouts.retries` allowed it.
template <class Result>
json::value with_attempts(const Attempted<Result>& a) {
    json::value v = a.result.to_json();
    if (v.is_object()) v.as_object()["attempts"] = a.attempts;
    return v;
}

// One cell's run: state shared by the steps.
class CellRun {
  public:
    CellRun(PipelineDeps& deps, engine::HostSessions& sessions, const matrix::Cell& cell,
            const std::atomic<bool>& interrupted, RunEvents& events)
        : m_deps(deps),
          m_sessions(sessions),
          m_cell(cell),
          m_interrupted(interrupted),
          m_events(events),
          m_host(deps.hosts.at(cell.host_index)),
          m_plan(plan_cell(cell, deps.scenario.steps)),
          m_prefix(matrix::resource_prefix(deps.run_token, cell)),
          m_engine(engine::EngineDeps{deps.store,
                                      deps.http,
                                      deps.secrets,
                                      deps.env,
                                      deps.packs,
                                      nullptr,
                                      {},
                                      engine::filesystem_reader(),
                                      &sessions}) {
        m_report.cell = cell;
        m_obs.mode = scenario::to_string(cell.mode);
        m_obs.provider = cell.provider;
        m_obs.stream_enabled = deps.scenario.steps.stream_smoke;
    }

    CellReport run();

  private:
    // Runs step `number` when enabled and not interrupted; `fn` returns false to stop the
    // probing part of the pipeline (later steps are recorded as not reached).
    template <class Fn>
    bool step(int number, Fn&& fn);
    void write_json(std::string_view file, const json::value& v);
    void write_text(std::string_view file, std::string_view text);
    [[nodiscard]] probes::Timeouts timeouts() const;
    // Runs `probe` under the scenario's timeouts.retries (probe_retry.hpp).
    template <class Probe>
    auto retried(Probe&& probe) {
        return probe_with_retries(m_deps.scenario.timeouts.retries, &m_interrupted, std::forward<Probe>(probe));
    }

    bool do_cell();
    bool do_health();
    bool do_capabilities();
    bool do_pack();
    bool do_preview();
    bool do_import();
    bool do_access();
    bool do_mode_state();
    bool do_gateway_models();
    bool do_gateway_chat();
    bool do_gateway_stream();
    bool do_accounts_state();
    bool do_reconcile();
    bool do_upstream_models();
    bool do_upstream_chat();
    // The upstream-direct target for steps 17/19. The provider key is resolved once per cell;
    // when it cannot be, the step's "not sent" artifacts (<stem>.json, <stem>.headers.txt) are
    // written and nullopt is returned.
    std::optional<probes::gateway::ProbeTarget> upstream_target(std::string_view stem);
    bool do_rollback();
    void do_summary();
    // Marks the cell as one the harness could not vouch for (cause harness_error).
    void harness_error(std::string explanation);

    PipelineDeps& m_deps;
    engine::HostSessions& m_sessions;
    const matrix::Cell& m_cell;
    const std::atomic<bool>& m_interrupted;
    RunEvents& m_events;
    const HostContext& m_host;
    std::vector<PlannedStep> m_plan;
    std::string m_prefix;
    engine::Engine m_engine;
    CellReport m_report;
    classify::CellObservations m_obs;
    // The cell's provider as its host reaches it (the host's upstream override applied).
    std::optional<engine::Provider> m_provider;
    std::optional<std::int64_t> m_batch;
    std::string m_user_key;
    std::string m_upstream_key;
    bool m_stopped = false;  // probing stopped early (host down, import failed, ...)
    std::vector<std::string> m_write_errors;
};

void CellRun::write_json(std::string_view file, const json::value& v) {
    auto r = m_deps.sink.write_json(fmt::format("{}/{}", m_cell.id, file), v);
    if (!r) m_write_errors.push_back(r.error().message);
}

void CellRun::write_text(std::string_view file, std::string_view text) {
    auto r = m_deps.sink.write_text(fmt::format("{}/{}", m_cell.id, file), text);
    if (!r) m_write_errors.push_back(r.error().message);
}

probes::Timeouts CellRun::timeouts() const {
    const auto& t = m_deps.scenario.timeouts;
    return probes::Timeouts{t.connect, t.total, t.idle};
}

template <class Fn>
bool CellRun::step(int number, Fn&& fn) {
    const PlannedStep* planned = nullptr;
    for (const auto& p : m_plan) {
        if (p.number == number) planned = &p;
    }
    StepRecord rec;
    rec.number = number;
    rec.name = planned ? planned->step : std::to_string(number);
    if (m_stopped) {
        rec.state = StepState::not_reached;
        m_report.steps.push_back(rec);
        return false;
    }
    if (planned && !planned->enabled) {
        rec.state = StepState::skipped;
        rec.note = planned->skip_reason;
        m_report.steps.push_back(rec);
        return true;
    }
    m_events.step_started(m_cell, number, rec.name);
    auto t0 = Clock::now();
    bool go_on = fn();
    rec.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!planned || planned->touches_network) {
        rec.network_ms = rec.elapsed_ms;
        m_report.network_ms += rec.elapsed_ms;
    }
    rec.state = go_on ? StepState::ran : StepState::failed;
    m_report.steps.push_back(rec);
    if (!go_on) m_stopped = true;
    return go_on;
}

bool CellRun::do_cell() {
    const auto& s = m_deps.scenario;
    json::object o;
    o["scenario"] = json::object{{"name", s.name}, {"path", s.source_path}, {"sha256", s.sha256}, {"label", s.label}};
    o["cell"] = m_cell.id;
    o["index"] = m_cell.index;
    o["mode"] = scenario::to_string(m_cell.mode);
    o["pack"] = m_cell.pack;
    o["provider"] = m_cell.provider;
    if (const auto* pack = m_deps.packs.find_pack(m_cell.pack)) o["pack_version"] = pack->version;
    o["profile"] = m_cell.profile;
    o["expected_cause"] =
        m_cell.expected_cause ? json::value(classify::to_string(*m_cell.expected_cause)) : json::value(nullptr);
    o["host"] = json::object{
        {"name", m_cell.host_name}, {"url", m_host.target.url}, {"kind", scenario::to_string(m_host.kind)}};
    o["resource_prefix"] = m_prefix;
    o["tool"] = json::object{{"name", "crm-accept"}, {"version", util::k_tool_version}, {"git_sha", util::k_git_sha}};
    o["started_at"] = m_report.started_at;
    write_json("00-cell.json", o);
    return true;
}

bool CellRun::do_health() {
    const auto& url = m_host.target.url;
    probes::HttpRequest h;
    h.url = url + "/health";
    h.timeouts = timeouts();
    auto health = probes::run_exchange(m_deps.http, h, {"host", "GET", h.url, probes::AuthStyle::none, ""});
    probes::HttpRequest p;
    p.url = url + "/api/v1/settings/public";
    p.timeouts = timeouts();
    auto settings = probes::run_exchange(m_deps.http, p, {"host", "GET", p.url, probes::AuthStyle::none, ""});
    write_json("01-host-health.json",
               json::object{{"health", health.to_json()}, {"settings_public", settings.to_json()}});
    fill_host_health(m_obs, health);
    return health.answered();
}

bool CellRun::do_capabilities() {
    auto caps = m_engine.probe_host(m_host.target);
    if (!caps) {
        write_json("02-host-capabilities.json", error_json(caps.error()));
        fill_host_error(m_obs, caps.error());
        return false;
    }
    write_json("02-host-capabilities.json", caps->to_json());
    fill_capabilities(m_obs, *caps);
    return caps->admin_auth_ok;
}

bool CellRun::do_pack() {
    auto p = m_deps.packs.find(m_cell.pack, m_cell.provider);
    if (!p) {
        write_json("03-pack.json", error_json(p.error()));
        m_obs.engine.harness_error = p.error().message;
        return false;
    }
    m_provider = engine::with_override(**p, m_host.target.upstreams);
    m_obs.smoke_model = m_provider->smoke_test_model;
    write_json("03-pack.json", m_provider->to_json());
    return true;
}

bool CellRun::do_preview() {
    engine::ImportRequest req{m_cell.pack, m_cell.provider, {to_engine(m_cell.mode)}, m_prefix, m_deps.run_token};
    auto plan = m_engine.preview(m_host.target, req);
    write_json("04-preview.json", plan ? plan->to_json() : error_json(plan.error()));
    if (!plan)
        fill_import_error(m_obs, plan.error());
    else
        fill_preview_warnings(m_obs, plan->warnings);
    return plan.has_value();
}

bool CellRun::do_import() {
    // Owned by this run: if the run dies, `engine recover` on its state file removes the batch
    // whatever its status.
    engine::ImportRequest req{m_cell.pack, m_cell.provider, {to_engine(m_cell.mode)}, m_prefix, m_deps.run_token};
    auto out = m_engine.import(m_host.target, req);
    if (!out) {
        write_json("05-import.json", error_json(out.error()));
        fill_import_error(m_obs, out.error());
        return false;
    }
    write_json("05-import.json", out->to_json());
    m_batch = out->batch_id;
    m_report.imported = out->batch_id > 0;
    fill_import(m_obs, *out);
    return out->batch_status == engine::BatchStatus::succeeded;
}

bool CellRun::do_access() {
    engine::AccessOptions opts;
    opts.reuse_user = m_host.reuse_user;
    opts.stream_check = m_deps.scenario.steps.stream_smoke;
    auto out = m_engine.close_access(m_host.target, *m_batch, to_engine(m_cell.mode), opts);
    if (!out) {
        write_json("06-account-probe.json", error_json(out.error()));
        write_json("07-access-status.json", error_json(out.error()));
        m_obs.engine.engine_error = out.error().message;
        return false;
    }
    json::array tests;
    for (const auto& t : out->account_tests) tests.push_back(t.to_json());
    write_json("06-account-probe.json", json::object{{"accounts", std::move(tests)}});
    write_json("07-access-status.json", out->to_json());
    fill_access(m_obs, *out);
    m_user_key = out->api_key;
    if (!m_user_key.empty()) m_deps.secrets.add(m_user_key);
    return true;
}

bool CellRun::do_mode_state() {
    auto v = m_engine.read_back_access(m_host.target, *m_batch, to_engine(m_cell.mode));
    write_json(mode_state_artifact(m_cell.mode), v ? *v : error_json(v.error()));
    if (!v)
        fill_read_back_error(m_obs, "08 mode state read-back", v.error());
    else
        fill_mode_state(m_obs, *v);
    return true;
}

bool CellRun::do_gateway_models() {
    if (m_user_key.empty()) {
        write_json("09-models.json", json::object{{"ok", false}, {"skipped", "the engine produced no user key"}});
        write_text("09-models.headers.txt", "(not sent: no user key)\n");
        return true;
    }
    probes::gateway::ProbeTarget t{m_host.target.url, m_user_key, probes::AuthStyle::bearer, timeouts()};
    t.cancel = &m_interrupted;
    auto a = retried([&] { return probes::gateway::probe_models(m_deps.http, t, m_provider->smoke_test_model); });
    const auto& r = a.result;
    write_text("09-models.headers.txt", r.exchange.headers_text());
    write_json("09-models.json", with_attempts(a));
    fill_models(m_obs.models, r, "09-models.json");
    return true;
}

bool CellRun::do_gateway_chat() {
    if (m_user_key.empty()) {
        write_json("10-chat.json", json::object{{"ok", false}, {"skipped", "the engine produced no user key"}});
        write_text("10-chat.headers.txt", "(not sent: no user key)\n");
        return true;
    }
    probes::gateway::ProbeTarget t{m_host.target.url, m_user_key, probes::AuthStyle::bearer, timeouts()};
    t.cancel = &m_interrupted;
    auto a = retried([&] { return probes::gateway::probe_chat(m_deps.http, t, m_provider->smoke_test_model); });
    const auto& r = a.result;
    // The same completion with x-api-key tells an auth-style mismatch from a broken key.
    t.auth = probes::AuthStyle::x_api_key;
    auto alt_a = retried([&] { return probes::gateway::probe_chat(m_deps.http, t, m_provider->smoke_test_model); });
    const auto& alt = alt_a.result;
    auto v = with_attempts(a);
    if (v.is_object()) v.as_object()["x_api_key_variant"] = with_attempts(alt_a);
    write_text("10-chat.headers.txt", r.exchange.headers_text());
    write_json("10-chat.json", v);
    fill_chat(m_obs.chat, r, "10-chat.json");
    fill_chat(m_obs.chat_alt_auth, alt, "10-chat.json");
    return true;
}

bool CellRun::do_gateway_stream() {
    if (m_user_key.empty()) {
        write_json("11-chat-stream.json", json::object{{"ok", false}, {"skipped", "the engine produced no user key"}});
        write_text("11-chat-stream.sse", "");
        return true;
    }
    probes::gateway::ProbeTarget t{m_host.target.url, m_user_key, probes::AuthStyle::bearer, timeouts()};
    t.cancel = &m_interrupted;
    auto a = retried([&] { return probes::gateway::probe_chat_stream(m_deps.http, t, m_provider->smoke_test_model); });
    const auto& r = a.result;
    write_text("11-chat-stream.sse", r.exchange.response ? r.exchange.response->body : std::string{});
    write_json("11-chat-stream.json", with_attempts(a));
    fill_stream(m_obs.chat_stream, r);
    return true;
}

bool CellRun::do_accounts_state() {
    probes::sub2api::AccountFilter f;
    f.search = m_prefix;
    auto accounts = m_sessions.session(m_host.target).admin().list_accounts(f);
    if (!accounts) {
        write_json("12-accounts-state.json", error_json(accounts.error()));
        fill_read_back_error(m_obs, "12 accounts read-back", accounts.error());
        return true;
    }
    std::vector<probes::sub2api::Account> mine;
    for (const auto& a : *accounts) {
        if (a.name.rfind(m_prefix, 0) == 0) mine.push_back(a);
    }
    json::array arr;
    for (const auto& a : mine) {
        json::object o;
        o["id"] = a.id;
        o["name"] = a.name;
        o["platform"] = a.platform;
        o["status"] = a.status;
        o["schedulable"] = a.schedulable;
        o["temp_unschedulable_until"] =
            a.temp_unschedulable_until ? json::value(*a.temp_unschedulable_until) : json::value(nullptr);
        o["temp_unschedulable_reason"] = a.temp_unschedulable_reason;
        o["error_message"] = a.error_message;
        arr.push_back(std::move(o));
    }
    write_json("12-accounts-state.json", json::object{{"prefix", m_prefix}, {"accounts", std::move(arr)}});
    fill_accounts(m_obs, mine);
    return true;
}

bool CellRun::do_reconcile() {
    auto r = m_engine.reconcile(m_host.target, *m_batch);
    write_json("13-reconcile.json", r ? r->to_json() : error_json(r.error()));
    if (r)
        fill_reconcile(m_obs, *r);
    else
        fill_read_back_error(m_obs, "13 reconcile", r.error());
    return true;
}

std::optional<probes::gateway::ProbeTarget> CellRun::upstream_target(std::string_view stem) {
    if (m_upstream_key.empty()) {
        auto key = engine::resolve_upstream_key(*m_provider, m_host.target.upstreams, m_deps.env,
                                                engine::filesystem_reader(), &m_deps.secrets);
        if (!key) {
            write_json(fmt::format("{}.json", stem), error_json(key.error()));
            write_text(fmt::format("{}.headers.txt", stem), "(not sent: no upstream key)\n");
            return std::nullopt;
        }
        m_upstream_key = *key;
    }
    probes::gateway::ProbeTarget t{m_provider->upstream_base_url, m_upstream_key, probes::AuthStyle::bearer,
                                   timeouts()};
    t.target_kind = "upstream";
    t.cancel = &m_interrupted;
    return t;
}

bool CellRun::do_upstream_models() {
    auto t = upstream_target("17-upstream-models");
    if (!t) return true;
    auto a = retried([&] {
        return probes::gateway::probe_models(m_deps.http, *t, m_provider->upstream_model(m_provider->smoke_test_model));
    });
    const auto& r = a.result;
    write_text("17-upstream-models.headers.txt", r.exchange.headers_text());
    write_json("17-upstream-models.json", with_attempts(a));
    fill_models(m_obs.upstream_models, r, "17-upstream-models.json");
    return true;
}

bool CellRun::do_upstream_chat() {
    auto t = upstream_target("19-upstream-chat");
    if (!t) return true;
    auto a = retried([&] {
        return probes::gateway::probe_chat(m_deps.http, *t, m_provider->upstream_model(m_provider->smoke_test_model));
    });
    const auto& r = a.result;
    write_text("19-upstream-chat.headers.txt", r.exchange.headers_text());
    write_json("19-upstream-chat.json", with_attempts(a));
    fill_chat(m_obs.upstream_chat, r, "19-upstream-chat.json");
    return true;
}

bool CellRun::do_rollback() {
    if (!m_batch) {
        write_json("20-rollback.json", json::object{{"ok", true}, {"note", "nothing was imported"}});
        return true;
    }
    auto r = m_engine.rollback(m_host.target, *m_batch);
    write_json("20-rollback.json", r ? r->to_json() : error_json(r.error()));
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

void CellRun::do_summary() {
    m_report.classification = classify::classify(m_obs, m_deps.rules);
    // Evidence we could not write is evidence we cannot vouch for.
    if (!m_write_errors.empty()) harness_error("could not write artifacts: " + m_write_errors.front());
    m_report.decision = gate::decide_cell(m_report.gate_input(), m_deps.gate);
    m_report.finished = true;
    if (auto r = m_deps.sink.write_cell_summary(m_report, classify::to_json(m_obs)); !r) {
        harness_error("could not write 21-summary: " + r.error().message);
        m_report.decision = gate::decide_cell(m_report.gate_input(), m_deps.gate);
    }
}

void CellRun::harness_error(std::string explanation) {
    m_report.classification.cause = classify::Cause::harness_error;
    m_report.classification.verdict = classify::Verdict::error;
    m_report.classification.explanation = std::move(explanation);
}

CellReport CellRun::run() {
    auto t0 = Clock::now();
    m_report.started = true;
    m_report.started_at = now_iso_with_offset();
    step(0, [&] { return do_cell(); });
    step(1, [&] { return do_health(); });
    step(2, [&] { return do_capabilities(); });
    step(3, [&] { return do_pack(); });
    step(4, [&] { return do_preview(); });
    step(5, [&] { return do_import(); });
    // Probing continues after a failed import only to roll back what it created.
    bool probing = !m_stopped;
    auto probe_step = [&](int n, auto fn) {
        if (m_interrupted.load()) m_stopped = true;
        step(n, fn);
    };
    if (probing) {
        probe_step(6,
                   [&] { return true; });  // written together with 07 (the engine tests accounts while closing access)
        probe_step(7, [&] { return do_access(); });
        probe_step(8, [&] { return do_mode_state(); });
        probe_step(9, [&] { return do_gateway_models(); });
        probe_step(10, [&] { return do_gateway_chat(); });
        probe_step(11, [&] { return do_gateway_stream(); });
        probe_step(12, [&] { return do_accounts_state(); });
        probe_step(13, [&] { return do_reconcile(); });
        probe_step(17, [&] { return do_upstream_models(); });
        probe_step(19, [&] { return do_upstream_chat(); });
    } else {
        for (int n : {6, 7, 8, 9, 10, 11, 12, 13, 17, 19}) step(n, [] { return true; });
    }
    const bool interrupted = m_interrupted.load();
    // Rollback runs whenever something was imported and rollback is on — and always on interrupt.
    bool stopped_before = m_stopped;
    m_stopped = false;
    if (m_batch && (interrupted || m_deps.scenario.steps.rollback)) {
        m_events.step_started(m_cell, 20, "rollback");
        auto r0 = Clock::now();
        do_rollback();
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - r0).count();
        m_report.network_ms += ms;
        m_report.steps.push_back(
            {20, "rollback", StepState::ran, interrupted ? "interrupted: rolled back" : "", ms, ms});
    } else {
        step(20, [&] { return do_rollback(); });
    }
    m_stopped = stopped_before;
    if (interrupted) {
        m_report.interrupted = true;
        m_report.classification.explanation = "interrupted: stopped probing";
        m_report.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        return m_report;
    }
    m_stopped = false;
    m_report.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    do_summary();
    m_report.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return m_report;
}

}  // namespace

CellPipeline::CellPipeline(PipelineDeps deps, engine::HostSessions* sessions)
    : m_deps(std::move(deps)), m_sessions(sessions) {
    if (!m_sessions) {
        m_own_sessions = std::make_unique<engine::HostSessions>(m_deps.http, m_deps.secrets);
        m_sessions = m_own_sessions.get();
    }
}

CellReport CellPipeline::run_cell(const matrix::Cell& cell, const std::atomic<bool>& interrupted, RunEvents& events) {
    CellRun run(m_deps, *m_sessions, cell, interrupted, events);
    return run.run();
}

}  // namespace crm::harness::runner
