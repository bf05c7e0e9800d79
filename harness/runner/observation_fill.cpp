#include "harness/runner/observation_fill.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace crm::harness::runner {

namespace {

std::string transport_name(util::ErrorCode c) { return util::to_string(c); }

bool is_2xx(const probes::ProbeExchange& ex) { return ex.status() >= 200 && ex.status() < 300; }

void append_joined(std::string& to, std::string_view part) {
    if (part.empty()) return;
    if (to.find(part) != std::string::npos) return;
    if (!to.empty()) to += " | ";
    to += part;
}

// The admin client's own words for an answer that is not a sub2api envelope (probes/sub2api
// envelope.cpp: a proxy's HTML page, Gin's text 404, JSON of another API). The engine passes such
// an error on as one line; it is the host's answer, not an engine fault.
// The host answered something that is not the sub2api API (a proxy's page, Gin's text 404):
// parse_envelope's protocol error.
bool is_foreign_answer(const std::optional<util::ErrorCode>& code) { return code == util::ErrorCode::protocol; }

}  // namespace

void fill_exchange(classify::HttpObservation& o, const probes::ProbeExchange& ex, std::string_view artifact) {
    o.attempted = true;
    o.artifact = std::string(artifact);
    if (auto f = ex.failure()) o.transport_error = transport_name(*f);
    if (ex.transport_error) {
        o.transport_detail = ex.transport_error->message;
    } else if (ex.response && ex.response->cut_short) {
        o.transport_detail = fmt::format("{}: cut short after {} body bytes", transport_name(*ex.response->cut_short),
                                         ex.response->body.size());
    }
    if (ex.response) {
        o.status = ex.response->status;
        o.body_excerpt = probes::envelope::to_valid_utf8(ex.response->body, 300);
    }
    if (ex.error_info) {
        const auto& e = *ex.error_info;
        o.error_shape = probes::envelope::to_string(e.shape);
        o.error_type = e.type;
        o.error_code = !e.code.empty() ? e.code : e.reason;
        o.error_message = e.message;
        o.vendor_code = e.vendor_code;
    }
}

void fill_host_health(classify::CellObservations& obs, const probes::ProbeExchange& health) {
    if (auto f = health.failure(); f && !health.answered()) obs.engine.host_probe_error_code = transport_name(*f);
    if (health.response) obs.engine.host_probe_status = health.response->status;
    if (health.transport_error) {
        obs.engine.host_probe_detail =
            fmt::format("{}: {}", transport_name(health.transport_error->code), health.transport_error->message);
    } else if (health.response && health.response->status != 200) {
        // Quote what answered instead of sub2api's {"status":"ok"} (a proxy page, Gin's 404).
        std::string body;
        for (char c : probes::envelope::to_valid_utf8(health.response->body, 160))
            if (body.empty() ||
                !(std::isspace(static_cast<unsigned char>(c)) && std::isspace(static_cast<unsigned char>(body.back()))))
                body += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
        obs.engine.host_probe_detail = fmt::format("HTTP {}: \"{}\"", health.response->status, body);
    }
}

void fill_host_error(classify::CellObservations& obs, const util::Error& error) {
    using util::ErrorCode;
    switch (error.code) {
        case ErrorCode::connect_failed:
        case ErrorCode::timeout:
        case ErrorCode::stalled:
            if (obs.engine.host_probe_error_code.empty())
                obs.engine.host_probe_error_code = util::to_string(error.code);
            if (obs.engine.host_probe_detail.empty()) obs.engine.host_probe_detail = error.message;
            break;
        case ErrorCode::protocol:
            // The admin API answered, but not as sub2api (a proxy's HTML page, Gin's text 404 on
            // a route the engine needs): quoted as such, never as an engine fault.
            obs.engine.admin_api_error = error.message;
            break;
        case ErrorCode::host_rejected:
            obs.engine.admin_rejected = true;
            break;
        default:
            obs.engine.engine_error = error.message;
    }
}

void fill_capabilities(classify::CellObservations& obs, const probes::sub2api::HostCapabilities& caps) {
    if (caps.admin_auth_ok) return;
    const auto& msg = caps.admin_auth_error;
    for (std::string_view code : {"ADMIN_COMPLIANCE_ACK_REQUIRED", "INVALID_ADMIN_KEY", "UNAUTHORIZED", "FORBIDDEN",
                                  "INVALID_TOKEN", "TOKEN_EXPIRED", "TOKEN_REVOKED"}) {
        if (caps.admin_auth_code == code) {
            obs.engine.admin_error_code = code;
            break;
        }
    }
    // Only a refusal (401/403/423, or a refusal code) is an auth verdict. A URL that answers the
    // admin API with a page, "OK" or a non-envelope JSON is not a sub2api admin API at all: the
    // credentials were never judged, so calling them wrong would send the operator the wrong way.
    const bool refused = caps.admin_auth_refused || !obs.engine.admin_error_code.empty();
    if (refused || msg.empty()) {
        obs.engine.admin_rejected = true;
    } else {
        obs.engine.admin_api_error = msg;
    }
}

void fill_import_error(classify::CellObservations& obs, const util::Error& error) {
    obs.engine.import_status = "failed";
    if (error.code == util::ErrorCode::missing_secret || error.code == util::ErrorCode::invalid_input ||
        error.code == util::ErrorCode::not_found) {
        obs.engine.harness_error = error.message;
    } else {
        fill_host_error(obs, error);
        if (obs.engine.engine_error.empty()) obs.engine.engine_error = error.message;
    }
}

void fill_import(classify::CellObservations& obs, const engine::ImportOutcome& out) {
    obs.engine.batch_status = std::string(engine::to_string(out.batch_status));
    obs.engine.import_status = out.batch_status == engine::BatchStatus::succeeded ? "succeeded" : "failed";
    obs.engine.provider_status = std::string(engine::to_string(out.provider_status));
    if (!out.error.empty()) obs.engine.engine_error = out.error;
    if (is_foreign_answer(out.error_code)) obs.engine.admin_api_error = out.error;
}

void fill_access(classify::CellObservations& obs, const engine::AccessOutcome& out) {
    obs.engine.access_status = std::string(engine::to_string(out.access_status));
    obs.engine.latest_access_status = std::string(engine::to_string(out.latest_access_status));
    obs.engine.engine_claimed_ready = out.ready.ready();
    obs.engine.user_source = out.managed_user ? "engine" : "operator";
    if (!out.error.empty() && obs.engine.engine_error.empty()) obs.engine.engine_error = out.error;
    if (is_foreign_answer(out.error_code) && obs.engine.admin_api_error.empty()) obs.engine.admin_api_error = out.error;
}

void fill_account_tests(classify::CellObservations& obs, const std::vector<engine::AccountTestResult>& tests) {
    auto& t = obs.account_test;
    t.attempted = !tests.empty();
    std::string worst = t.attempted ? "success" : "";
    for (const auto& a : tests) {
        if (!a.success) {
            if (a.advisory) {
                if (worst != "error") worst = "rate_limited";
            } else {
                worst = "error";
            }
            append_joined(t.error_text, a.detail);
        }
    }
    t.outcome = worst;
}

void fill_models(classify::ModelsObservation& o, const probes::gateway::ModelsResult& r, std::string_view artifact) {
    fill_exchange(o, r.exchange, artifact);
    if (is_2xx(r.exchange)) o.payload_parsed = r.list_parsed;
    if (r.list_parsed) o.listed_smoke_model = r.lists_expected;
    o.model_ids = r.model_ids;
}

void fill_chat(classify::HttpObservation& o, const probes::gateway::ChatResult& r, std::string_view artifact) {
    fill_exchange(o, r.exchange, artifact);
    // A 200 is a success only when it carries a completion: a proxy page or "OK" is not one.
    if (is_2xx(r.exchange)) o.payload_parsed = r.completion_parsed;
}

void fill_stream(classify::StreamObservation& o, const probes::gateway::ChatStreamResult& r) {
    fill_exchange(o, r.exchange, "11-chat-stream.json");
    o.saw_done = r.saw_done;
    o.saw_usage = r.saw_usage;
    o.saw_error_event = r.saw_error_event;
    o.stalled = r.stalled;
    o.truncated = r.truncated;
    o.chunks = static_cast<int>(r.data_chunks);
    o.keepalive_comments = static_cast<int>(r.comments);
    if (r.saw_error_event && r.exchange.error_info) {
        o.error_event_type = r.exchange.error_info->type;
        o.error_event_message = r.exchange.error_info->message;
    }
}

void fill_accounts(classify::CellObservations& obs, const std::vector<probes::account::AccountState>& accounts,
                   std::int64_t now_unix) {
    auto& a = obs.accounts;
    a.read = true;
    a.count = static_cast<int>(accounts.size());
    bool all_sched = !accounts.empty();
    auto rank = [](const std::string& s) { return s == "error" ? 2 : s == "inactive" ? 1 : 0; };
    for (const auto& acc : accounts) {
        if (a.status.empty() || rank(acc.status) > rank(a.status)) a.status = acc.status;
        if (!acc.schedulable.value_or(false)) {
            all_sched = false;
            ++a.unschedulable_count;
        }
        if (acc.rate_limited(now_unix)) ++a.rate_limited_count;
        append_joined(a.temp_unschedulable_reason, acc.temp_unschedulable_reason);
        append_joined(a.error_message, acc.error_message);
    }
    if (!accounts.empty()) a.schedulable = all_sched;
}

void fill_reconcile(classify::CellObservations& obs, const engine::ReconcileOutcome& out) {
    obs.reconcile.ran = true;
    obs.reconcile.status = out.status;
    obs.reconcile.owned_drift_count = static_cast<int>(out.drift.size());
    obs.reconcile.residue_count = static_cast<int>(out.residue.size());
}

void fill_preview_warnings(classify::CellObservations& obs, const engine::ImportPlan& plan) {
    if (!plan.foreign_answer.empty())
        append_joined(obs.engine.read_back_error, fmt::format("04 preview: {}", plan.foreign_answer));
}

void fill_mode_state(classify::CellObservations& obs, const util::json::value& state) {
    if (!state.is_object()) return;
    for (const auto& kv : state.as_object()) {
        const auto* part = kv.value().if_object();
        const auto* error = part ? part->if_contains("error") : nullptr;
        if (error && error->is_string())
            append_joined(obs.engine.read_back_error,
                          fmt::format("08 mode state read-back ({}): {}", std::string_view(kv.key()),
                                      std::string_view(error->as_string())));
    }
}

void fill_read_back_error(classify::CellObservations& obs, std::string_view step, const util::Error& error) {
    append_joined(obs.engine.read_back_error, fmt::format("{}: {}", step, error.message));
}

void fill_rollback(classify::CellObservations& obs, const engine::RollbackOutcome& out) {
    obs.rollback.ran = true;
    obs.rollback.error = out.error;
    obs.rollback.status = std::string(engine::to_string(out.batch_status));
    obs.rollback.remaining_owned = static_cast<int>(out.remaining.size());
}

}  // namespace crm::harness::runner
