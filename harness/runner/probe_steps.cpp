// The probing steps of a cell (06-19): the engine's account tests and access closure, the host
// read-backs, the gateway smoke with the probe user's key, and the upstream-direct probes whose
// requests run on the cell's upstream lane (upstream_lane.hpp).
#include <fmt/format.h>

#include <chrono>

#include "engine/packs/key_source.hpp"
#include "engine/packs/upstream_override.hpp"
#include "harness/runner/cell_run.hpp"
#include "harness/runner/observation_fill.hpp"
#include "probes/account/account_probe.hpp"
#include "probes/sub2api/admin_client.hpp"

namespace crm::harness::runner {

namespace json = util::json;
namespace gateway = probes::gateway;

namespace {

// The probe's artifact JSON with the number of attempts `timeouts.retries` allowed it.
template <class Result>
json::value with_attempts(const Attempted<Result>& a) {
    json::value v = a.result.to_json();
    if (v.is_object()) v.as_object()["attempts"] = a.attempts;
    return v;
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool CellRun::do_account_probe(const PlannedStep& step) {
    auto tests = m_engine.test_accounts(m_host.target, *m_state.batch_id);
    if (!tests) {
        write_json(step.file(".json"), error_json(tests.error()));
        fill_read_back_error(m_obs, "06 account test", tests.error());
        return true;
    }
    json::array arr;
    for (const auto& t : *tests) arr.push_back(t.to_json());
    write_json(step.file(".json"), json::object{{"accounts", std::move(arr)}});
    fill_account_tests(m_obs, *tests);
    return true;
}

bool CellRun::do_access(const PlannedStep& step) {
    engine::AccessOptions opts;
    opts.reuse_user = m_host.reuse_user;
    opts.stream_check = m_settings.steps.stream_smoke;
    opts.account_test = false;  // step 06 ran them
    auto out = m_ops->close_access(m_host.target, *m_state.batch_id, to_engine(m_cell.mode), opts);
    if (!out) {
        write_json(step.file(".json"), error_json(out.error()));
        m_obs.engine.engine_error = out.error().message;
        return false;
    }
    write_json(step.file(".json"), out->to_json());
    fill_access(m_obs, *out);
    m_state.user_key = out->api_key;
    if (!m_state.user_key.empty()) m_services.secrets.add(m_state.user_key);
    return true;
}

bool CellRun::do_mode_state(const PlannedStep& step) {
    auto v = m_engine.read_back_access(m_host.target, *m_state.batch_id, to_engine(m_cell.mode));
    write_json(step.file(".json"), v ? *v : error_json(v.error()));
    if (!v)
        fill_read_back_error(m_obs, "08 mode state read-back", v.error());
    else
        fill_mode_state(m_obs, *v);
    return true;
}

bool CellRun::write_no_user_key(const PlannedStep& step) {
    for (const auto& f : step.files) {
        if (f.ends_with(".json"))
            write_json(f, json::object{{"ok", false}, {"skipped", "the engine produced no user key"}});
        else if (f.ends_with(".headers.txt"))
            write_text(f, "(not sent: no user key)\n");
        else
            write_text(f, "");
    }
    return true;
}

gateway::ProbeTarget CellRun::gateway_target() const {
    gateway::ProbeTarget t{m_host.target.url, m_state.user_key, probes::AuthStyle::bearer, timeouts()};
    t.cancel = &m_interrupted;
    return t;
}

template <class Result>
void CellRun::write_probe(const PlannedStep& step, const Attempted<Result>& a, json::value artifact) {
    write_text(step.file(".headers.txt"), a.result.exchange.headers_text());
    write_json(step.file(".json"), artifact.is_null() ? with_attempts(a) : artifact);
}

bool CellRun::do_gateway_models(const PlannedStep& step) {
    if (m_state.user_key.empty()) return write_no_user_key(step);
    const auto t = gateway_target();
    auto a = retried([&] { return gateway::probe_models(m_services.http, t, m_state.provider->smoke_test_model); });
    write_probe(step, a);
    fill_models(m_obs.models, a.result, step.file(".json"));
    return true;
}

bool CellRun::do_gateway_chat(const PlannedStep& step) {
    if (m_state.user_key.empty()) return write_no_user_key(step);
    auto t = gateway_target();
    const auto& model = m_state.provider->smoke_test_model;
    auto a = retried([&] { return gateway::probe_chat(m_services.http, t, model); });
    // The same completion with x-api-key tells an auth-style mismatch from a broken key.
    t.auth = probes::AuthStyle::x_api_key;
    auto alt = retried([&] { return gateway::probe_chat(m_services.http, t, model); });
    auto v = with_attempts(a);
    if (v.is_object()) v.as_object()["x_api_key_variant"] = with_attempts(alt);
    write_probe(step, a, std::move(v));
    fill_chat(m_obs.chat, a.result, step.file(".json"));
    fill_chat(m_obs.chat_alt_auth, alt.result, step.file(".json"));
    return true;
}

bool CellRun::do_gateway_stream(const PlannedStep& step) {
    if (m_state.user_key.empty()) return write_no_user_key(step);
    const auto t = gateway_target();
    auto a =
        retried([&] { return gateway::probe_chat_stream(m_services.http, t, m_state.provider->smoke_test_model); });
    const auto& r = a.result;
    write_text(step.file(".sse"), r.exchange.response ? r.exchange.response->body : std::string{});
    write_json(step.file(".json"), with_attempts(a));
    fill_stream(m_obs.chat_stream, r);
    return true;
}

bool CellRun::do_accounts_state(const PlannedStep& step) {
    probes::sub2api::AccountFilter f;
    f.search = m_prefix;
    auto accounts = m_services.sessions.session(m_host.target).admin().list_accounts(f);
    if (!accounts) {
        write_json(step.file(".json"), error_json(accounts.error()));
        fill_read_back_error(m_obs, "12 accounts read-back", accounts.error());
        return true;
    }
    // The account as the host sent it (its raw DTO), read by the account probe's own reader.
    std::vector<probes::account::AccountState> mine;
    json::array arr;
    for (const auto& a : *accounts) {
        if (a.name.rfind(m_prefix, 0) != 0) continue;
        mine.push_back(probes::account::account_state_from_json(json::value(a.raw)));
        arr.push_back(probes::account::to_json(mine.back()));
    }
    write_json(step.file(".json"), json::object{{"prefix", m_prefix}, {"accounts", std::move(arr)}});
    fill_accounts(m_obs, mine, now_unix());
    return true;
}

bool CellRun::do_reconcile(const PlannedStep& step) {
    auto r = m_ops->reconcile(m_host.target, *m_state.batch_id);
    write_json(step.file(".json"), r ? r->to_json() : error_json(r.error()));
    if (r)
        fill_reconcile(m_obs, *r);
    else
        fill_read_back_error(m_obs, "13 reconcile", r.error());
    return true;
}

void CellRun::start_upstream_lane(int after_step) {
    UpstreamLaneRequest req;
    for (const auto& s : m_plan) {
        if (s.target != StepTarget::upstream || !s.enabled || s.starts_after != after_step) continue;
        req.models = req.models || s.action == StepAction::upstream_models;
        req.chat = req.chat || s.action == StepAction::upstream_chat;
    }
    if ((!req.models && !req.chat) || m_upstream.started() || m_upstream_key_error) return;
    const auto& provider = *m_state.provider;
    auto key = engine::resolve_upstream_key(provider, m_host.target.upstreams, m_services.env,
                                            engine::filesystem_reader(), &m_services.secrets);
    if (!key) {
        m_upstream_key_error = key.error();
        return;
    }
    req.target.base_url = provider.upstream_base_url;
    req.target.api_key = *key;
    req.target.timeouts = timeouts();
    req.target.cancel = &m_interrupted;
    req.expected_model = provider.upstream_model(provider.smoke_test_model);
    req.retries = m_settings.timeouts.retries;
    m_upstream.start(m_services.http, std::move(req), m_interrupted);
}

bool CellRun::upstream_results_ready(const PlannedStep& step) {
    // Not started yet when the run was interrupted as its trigger step ended: start it now
    // (an interrupt cancels its requests at once).
    start_upstream_lane(step.starts_after);
    if (!m_upstream_key_error) return true;
    write_json(step.file(".json"), error_json(*m_upstream_key_error));
    write_text(step.file(".headers.txt"), "(not sent: no upstream key)\n");
    return false;
}

bool CellRun::do_upstream_models(const PlannedStep& step) {
    if (!upstream_results_ready(step)) return true;
    const auto& a = *m_upstream.join().models;
    write_probe(step, a);
    fill_models(m_obs.upstream_models, a.result, step.file(".json"));
    return true;
}

bool CellRun::do_upstream_chat(const PlannedStep& step) {
    if (!upstream_results_ready(step)) return true;
    const auto& a = *m_upstream.join().chat;
    write_probe(step, a);
    fill_chat(m_obs.upstream_chat, a.result, step.file(".json"));
    return true;
}

}  // namespace crm::harness::runner
