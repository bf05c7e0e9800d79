#include "harness/serve/plane_client.hpp"

#include <fmt/format.h>

#include "engine/model/outcomes_json.hpp"

namespace crm::harness::serve {

namespace {

using util::ErrorCode;

ErrorCode code_for(std::string_view api_code) {
    if (api_code == "invalid_input" || api_code == "bad_json") return ErrorCode::invalid_input;
    if (api_code == "not_found" || api_code == "route_not_found") return ErrorCode::not_found;
    if (api_code == "conflict") return ErrorCode::conflict;
    if (api_code == "missing_secret") return ErrorCode::missing_secret;
    if (api_code == "host_unreachable") return ErrorCode::connect_failed;
    if (api_code == "host_timeout") return ErrorCode::timeout;
    if (api_code == "unauthorized") return ErrorCode::host_rejected;
    if (api_code == "shutting_down") return ErrorCode::interrupted;
    if (api_code == "payload_too_large") return ErrorCode::too_large;
    return ErrorCode::http_status;
}

// The first line of an answer that is not the API, trimmed and bounded, to quote in a message.
std::string first_line(std::string_view body) {
    auto start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return "(empty body)";
    body = body.substr(start);
    body = body.substr(0, body.find_first_of("\r\n"));
    if (body.size() > 120) return fmt::format("{}...", body.substr(0, 120));
    return std::string(body);
}

std::string trimmed(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

json::array modes_json(const std::vector<engine::AccessMode>& modes) {
    json::array a;
    for (auto m : modes) a.emplace_back(engine::to_string(m));
    return a;
}

}  // namespace

util::Error plane_error(int status, std::string_view body, std::string_view what) {
    auto parsed = util::parse_json(body, what);
    const json::value* code = parsed ? util::find_path(*parsed, "error.code") : nullptr;
    const json::value* message = parsed ? util::find_path(*parsed, "error.message") : nullptr;
    if (!code || !code->is_string() || !message || !message->is_string()) {
        return util::Error{ErrorCode::protocol,
                           fmt::format("the control plane's answer to {} is not its API (status {}): {}", what, status,
                                       first_line(body)),
                           std::string(what),
                           status,
                           {}};
    }
    return util::Error{code_for(code->get_string()), std::string(message->get_string()),
                       fmt::format("{} -> {}", what, status), status, std::string(code->get_string())};
}

PlaneClient::PlaneClient(probes::HttpTransport& http, PlaneClientOptions options)
    : m_http(http), m_options(std::move(options)) {
    m_options.base_url = trimmed(std::move(m_options.base_url));
}

util::Result<json::value> PlaneClient::call(std::string_view method, const std::string& path,
                                            const std::optional<json::value>& body, bool authorized) {
    const auto what = fmt::format("{} {}", method, path);
    probes::HttpRequest req;
    req.method = std::string(method);
    req.url = m_options.base_url + path;
    // A long operation sends no byte until it is done: the idle watchdog must not end it first.
    req.timeouts = probes::Timeouts{m_options.connect_timeout, m_options.call_timeout, m_options.call_timeout};
    req.headers.emplace_back("accept", "application/json");
    if (authorized) req.headers.emplace_back("authorization", "Bearer " + m_options.token);
    if (body) {
        req.headers.emplace_back("content-type", "application/json");
        req.body = json::serialize(*body);
    }
    auto resp = m_http.send(req);
    if (!resp) {
        auto e = resp.error();
        e.message = fmt::format("control plane {}: {}: {}", m_options.base_url, what, e.message);
        return std::unexpected(std::move(e));
    }
    if (resp->status < 200 || resp->status >= 300) return std::unexpected(plane_error(resp->status, resp->body, what));
    auto parsed = util::parse_json(resp->body, what);
    if (!parsed || !parsed->is_object()) {
        return util::fail(ErrorCode::protocol,
                          fmt::format("the control plane's answer to {} is not its API (status {}): {}", what,
                                      resp->status, first_line(resp->body)),
                          what);
    }
    return std::move(*parsed);
}

util::Result<json::object> PlaneClient::health() {
    CRM_TRY(v, call("GET", "/healthz", std::nullopt, false));
    return v.as_object();
}

util::Result<PlaneHost> PlaneClient::create_host(const HostRegistration& host) {
    json::object b{{"name", host.name}, {"url", host.url}, {"accept_compliance", host.accept_compliance}};
    if (!host.admin_key.empty()) {
        b["admin_key"] = host.admin_key;
    } else if (!host.admin_key_env.empty()) {
        b["admin_key_env"] = host.admin_key_env;
    } else {
        b["admin_email"] = host.admin_email;
        b["admin_password_env"] = host.admin_password_env;
    }
    CRM_TRY(v, call("POST", "/api/hosts", json::value(std::move(b))));
    const auto* h = util::find(v, "host");
    const auto* id = h ? util::find(*h, "id") : nullptr;
    if (!id || !(id->is_string() || id->is_int64() || id->is_uint64()))
        return util::fail(ErrorCode::protocol, "the control plane's answer to POST /api/hosts has no host.id");
    return PlaneHost{*id, util::get_string(*h, "url").value_or(host.url), util::get_string(*h, "version").value_or("")};
}

util::Result<void> PlaneClient::install_pack(const std::string& pack_id) {
    auto r = call("POST", "/api/packs", json::value(json::object{{"pack_id", pack_id}}));
    // Installing records the pack's definitions; doing it twice is harmless, and a server that
    // says so with 409 has it installed.
    if (!r && r.error().remote_code == "conflict") return {};
    if (!r) return std::unexpected(r.error());
    return {};
}

util::Result<engine::ImportOutcome> PlaneClient::import_provider(const std::string& provider, const ImportCall& c) {
    json::object b{{"host_id", c.host_id}, {"modes", modes_json(c.modes)}, {"name_prefix", c.name_prefix}};
    if (!c.pack_id.empty()) b["pack_id"] = c.pack_id;
    if (!c.owner_run.empty()) b["owner_run"] = c.owner_run;
    CRM_TRY(v, call("POST", fmt::format("/api/providers/{}/import", provider), json::value(std::move(b))));
    return engine::import_outcome_from_json(v);
}

util::Result<engine::AccessOutcome> PlaneClient::close_access(const std::string& provider, const AccessCall& c) {
    json::object b{{"host_id", c.host_id},
                   {"batch_id", c.batch_id},
                   {"mode", engine::to_string(c.mode)},
                   {"stream_check", c.stream_check},
                   {"account_test", c.account_test}};
    if (!c.user_email.empty()) b["user"] = json::object{{"email", c.user_email}, {"password_env", c.user_password_env}};
    CRM_TRY(v, call("POST", fmt::format("/api/providers/{}/access", provider), json::value(std::move(b))));
    return engine::access_outcome_from_json(v);
}

util::Result<engine::ReconcileOutcome> PlaneClient::reconcile_provider(const std::string& provider,
                                                                       std::int64_t batch_id,
                                                                       const json::value& host_id) {
    json::object b{{"batch_id", batch_id}, {"host_id", host_id}};
    CRM_TRY(v, call("POST", fmt::format("/api/providers/{}/reconcile", provider), json::value(std::move(b))));
    return engine::reconcile_outcome_from_json(v);
}

util::Result<engine::RollbackOutcome> PlaneClient::rollback_batch(std::int64_t batch_id) {
    CRM_TRY(v, call("POST", fmt::format("/api/import-batches/{}/rollback", batch_id), json::value(json::object{})));
    return engine::rollback_outcome_from_json(v);
}

util::Result<engine::BatchReport> PlaneClient::get_import_batch(std::int64_t batch_id) {
    CRM_TRY(v, call("GET", fmt::format("/api/import-batches/{}", batch_id), std::nullopt));
    return engine::batch_report_from_json(v);
}

}  // namespace crm::harness::serve
