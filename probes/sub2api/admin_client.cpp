#include "probes/sub2api/admin_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "probes/sub2api/dto_json.hpp"
#include "probes/sub2api/envelope.hpp"
#include "util/random.hpp"

namespace crm::probes::sub2api {

using util::ErrorCode;
using util::fail;

namespace {

constexpr std::string_view k_login_path = "/api/v1/auth/login";
constexpr std::string_view k_compliance_path = "/api/v1/admin/compliance";
constexpr std::string_view k_compliance_reason = "ADMIN_COMPLIANCE_ACK_REQUIRED";
constexpr std::size_t k_max_exchanges = 100000;
constexpr int k_max_pages = 10000;

bool is_admin_path(std::string_view path) { return path.starts_with("/api/v1/admin"); }

std::string percent_encode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string with_query(std::string_view path, const Query& query) {
    std::string out(path);
    char sep = '?';
    for (const auto& [k, v] : query) {
        out += sep;
        out += percent_encode(k);
        out += '=';
        out += percent_encode(v);
        sep = '&';
    }
    return out;
}

// Field names whose string values are credentials, in bodies we send and answers we read.
bool is_secret_field(std::string_view name) {
    return name == "api_key" || name == "password" || name == "access_token" || name == "refresh_token" ||
           name == "custom_key" || name == "temp_token" || name == "session_key";
}

}  // namespace

AdminClient::AdminClient(HttpTransport& http, AdminClientOptions options, util::SecretRegistry& secrets)
    : m_http(http), m_options(std::move(options)), m_secrets(secrets) {
    m_base_url = m_options.base_url;
    while (!m_base_url.empty() && m_base_url.back() == '/') m_base_url.pop_back();
    m_options.page_size = std::clamp(m_options.page_size, 1, 1000);
    m_secrets.add(m_options.credentials.api_key);
    m_secrets.add(m_options.credentials.password);
}

void AdminClient::register_secrets_in(const json::value& v, bool outgoing) {
    if (v.is_array()) {
        for (const auto& item : v.get_array()) register_secrets_in(item, outgoing);
        return;
    }
    if (!v.is_object()) return;
    for (const auto& [k, item] : v.get_object()) {
        if (item.is_string()) {
            std::string_view s = item.get_string();
            // "key" is the user API key in key DTOs; elsewhere a short "key" is a plain label,
            // so only long values are treated as credentials.
            if (is_secret_field(k) ||
                (k == "key" && (s.starts_with("sk-") || s.starts_with("admin-") || s.size() >= 16))) {
                m_secrets.add(s);
            }
        } else {
            register_secrets_in(item, outgoing);
        }
    }
}

util::Error AdminClient::scrubbed(util::Error e) const {
    e.message = m_secrets.scrub(e.message);
    e.context = m_secrets.scrub(e.context);
    e.remote_code = m_secrets.scrub(e.remote_code);
    return e;
}

std::string AdminClient::create_key(const RequestOptions& options) const {
    return options.idempotency_key.empty() ? util::random_hex(16) : options.idempotency_key;
}

util::Result<HttpResponse> AdminClient::send(const Call& c, const std::string& target, std::string* sent_jwt) {
    HttpRequest req;
    req.method = c.method;
    req.url = m_base_url + target;
    req.timeouts = m_options.timeouts;
    req.headers.emplace_back("Accept", "application/json");
    if (c.auth == AuthMode::admin) {
        if (!m_options.credentials.api_key.empty()) {
            req.headers.emplace_back("x-api-key", m_options.credentials.api_key);
        } else {
            CRM_TRY(token, admin_token());
            if (sent_jwt) *sent_jwt = token;
            req.headers.emplace_back("Authorization", "Bearer " + token);
        }
    } else if (!c.bearer.empty()) {
        m_secrets.add(c.bearer);
        req.headers.emplace_back("Authorization", "Bearer " + c.bearer);
    }
    if (!c.idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", c.idempotency_key);
    if (c.body) {
        register_secrets_in(*c.body, true);
        req.headers.emplace_back("Content-Type", "application/json");
        req.body = json::serialize(*c.body);
    }

    auto started = std::chrono::steady_clock::now();
    auto response = m_http.send(req);
    double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (m_options.record_exchanges) {
        std::lock_guard lock(m_mutex);
        if (m_exchanges.size() < k_max_exchanges) {
            m_exchanges.push_back(Exchange{c.method, target, response ? response->status : 0, elapsed});
        }
    }
    if (!response) return std::unexpected(scrubbed(response.error()));
    return response;
}

util::Result<json::value> AdminClient::call_once(const Call& c, std::string* sent_jwt) {
    std::string target = with_query(c.path, c.query);
    CRM_TRY(response, send(c, target, sent_jwt));
    std::string url = m_base_url + target;
    EnvelopeRequest er{std::string(c.method), std::string(c.path), url,
                       c.auth == AuthMode::admin && is_admin_path(c.path)};
    auto data = parse_envelope(response, er);
    if (!data) return std::unexpected(scrubbed(data.error()));
    register_secrets_in(*data, false);
    return data;
}

util::Result<json::value> AdminClient::call(const Call& c) {
    std::string sent_jwt;
    auto result = call_once(c, &sent_jwt);
    if (result || c.auth != AuthMode::admin) return result;
    const auto& e = result.error();
    const std::string& reason = e.remote_code;

    if (e.http_status == 423 && reason == k_compliance_reason) {
        {
            std::lock_guard lock(m_mutex);
            if (m_compliance != ComplianceState::accepted) m_compliance = ComplianceState::required;
        }
        if (!m_options.accept_compliance) {
            util::Error refused = e;
            refused.message =
                fmt::format("{} {} -> 423 {}: compliance gate not accepted (set accept_compliance to allow)", c.method,
                            c.path, k_compliance_reason);
            return std::unexpected(refused);
        }
        CRM_TRY_VOID(accept_compliance_gate());
        return call_once(c);
    }
    if (e.http_status == 401 && m_options.credentials.api_key.empty() &&
        (reason == "TOKEN_EXPIRED" || reason == "INVALID_TOKEN" || reason == "TOKEN_REVOKED")) {
        {
            // Parallel calls refused with the same expired token: the first one drops it and
            // logs in again; the others find the new token and do not drop it.
            std::lock_guard lock(m_mutex);
            if (m_jwt == sent_jwt) m_jwt.clear();
        }
        return call_once(c);
    }
    return result;
}

util::Result<UserSession> AdminClient::login(std::string_view email, std::string_view password, bool as_admin) {
    m_secrets.add(password);
    json::object body{{"email", email}, {"password", password}};
    Call c{"POST", std::string(k_login_path), {}, json::value(body), {}, AuthMode::none, {}};
    std::string target(k_login_path);
    CRM_TRY(response, send(c, target));
    // An admin whose login fails cannot administer the host: that is host_rejected, while an
    // ordinary user's failed login is an access precondition the caller classifies.
    EnvelopeRequest er{"POST", std::string(k_login_path), m_base_url + target, as_admin};
    auto data = parse_envelope(response, er);
    if (!data) return std::unexpected(scrubbed(data.error()));
    register_secrets_in(*data, false);
    if (util::get_bool(*data, "requires_2fa").value_or(false)) {
        return fail(
            as_admin ? ErrorCode::host_rejected : ErrorCode::http_status,
            fmt::format("POST {} -> 200: login for {} requires 2FA; use an admin API key", k_login_path, email));
    }
    auto token = util::get_string(*data, "access_token");
    if (!token || token->empty()) {
        return fail(ErrorCode::protocol,
                    fmt::format("POST {} -> 200: no data.access_token in the login answer", k_login_path),
                    m_base_url + target);
    }
    m_secrets.add(*token);
    const auto* user = util::find(*data, "user");
    return UserSession{*token, user ? util::get_int(*user, "id").value_or(0) : 0};
}

util::Result<std::string> AdminClient::admin_token() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_jwt.empty()) return m_jwt;
    }
    std::lock_guard login_lock(m_login_mutex);
    {
        std::lock_guard lock(m_mutex);
        if (!m_jwt.empty()) return m_jwt;
    }
    const auto& cred = m_options.credentials;
    if (cred.email.empty() || cred.password.empty()) {
        return fail(ErrorCode::host_rejected,
                    "admin credentials missing: set an admin API key or admin email + password", m_base_url);
    }
    CRM_TRY(session, login(cred.email, cred.password, true));
    std::lock_guard lock(m_mutex);
    m_jwt = session.access_token;
    return m_jwt;
}

util::Result<void> AdminClient::accept_compliance_gate() {
    std::lock_guard accept_lock(m_accept_mutex);
    {
        std::lock_guard lock(m_mutex);
        if (m_compliance == ComplianceState::accepted) return {};
    }
    CRM_TRY(status, call_once(Call{"GET", std::string(k_compliance_path), {}, {}, {}, AuthMode::admin, {}}));
    auto phrase = util::get_string(status, "ack_phrase_en");
    if (!phrase || phrase->empty()) {
        return fail(ErrorCode::protocol,
                    fmt::format("GET {} -> 200: no data.ack_phrase_en to accept", k_compliance_path),
                    m_base_url + std::string(k_compliance_path));
    }
    json::object body{{"phrase", *phrase}, {"language", "en"}};
    CRM_TRY_VOID(call_once(
        Call{"POST", std::string(k_compliance_path) + "/accept", {}, json::value(body), {}, AuthMode::admin, {}}));
    std::lock_guard lock(m_mutex);
    m_compliance = ComplianceState::accepted;
    return {};
}

util::Result<void> AdminClient::accept_compliance() { return accept_compliance_gate(); }

ComplianceState AdminClient::compliance_state() const {
    std::lock_guard lock(m_mutex);
    return m_compliance;
}

util::Result<json::value> AdminClient::compliance_status() {
    auto data = call_once(Call{"GET", std::string(k_compliance_path), {}, {}, {}, AuthMode::admin, {}});
    if (!data) return data;
    bool required = util::get_bool(*data, "required").value_or(false);
    const auto* ack = util::find(*data, "acknowledgement");
    bool acknowledged = ack && !ack->is_null();
    std::lock_guard lock(m_mutex);
    if (!required) {
        m_compliance = ComplianceState::not_required;
    } else if (acknowledged) {
        m_compliance = ComplianceState::accepted;
    } else if (m_compliance != ComplianceState::accepted) {
        m_compliance = ComplianceState::required;
    }
    return data;
}

util::Result<json::value> AdminClient::get(std::string_view path, const Query& query) {
    return call(Call{"GET", std::string(path), query, {}, {}, AuthMode::admin, {}});
}

util::Result<json::value> AdminClient::post(std::string_view path, const json::value& body,
                                            const RequestOptions& options) {
    return call(Call{"POST", std::string(path), {}, body, create_key(options), AuthMode::admin, {}});
}

util::Result<json::value> AdminClient::put(std::string_view path, const json::value& body) {
    return call(Call{"PUT", std::string(path), {}, body, {}, AuthMode::admin, {}});
}

util::Result<json::value> AdminClient::del(std::string_view path) {
    return call(Call{"DELETE", std::string(path), {}, {}, {}, AuthMode::admin, {}});
}

util::Result<std::vector<json::value>> AdminClient::list_all(std::string_view path, const Query& query) {
    std::vector<json::value> items;
    for (int page = 1; page <= k_max_pages; ++page) {
        Query q = query;
        q.emplace_back("page", std::to_string(page));
        q.emplace_back("page_size", std::to_string(m_options.page_size));
        CRM_TRY(data, get(path, q));
        if (data.is_array()) {
            for (auto& item : data.get_array()) items.push_back(std::move(item));
            return items;
        }
        const auto* page_items = util::find(data, "items");
        if (!page_items || !page_items->is_array()) {
            return fail(ErrorCode::protocol,
                        fmt::format("GET {} -> 200: data has no items[] (not a paginated list)", path),
                        m_base_url + std::string(path));
        }
        for (const auto& item : page_items->get_array()) items.push_back(item);
        auto pages = util::get_int(data, "pages").value_or(0);
        if (page >= pages || page_items->get_array().empty()) return items;
    }
    return fail(ErrorCode::protocol,
                fmt::format("GET {}: more than {} pages; refusing to walk further", path, k_max_pages),
                m_base_url + std::string(path));
}

util::Result<HttpResponse> AdminClient::raw(std::string_view method, std::string_view path,
                                            const std::optional<json::value>& body, AuthMode auth) {
    Call c{std::string(method), std::string(path), {}, body, {}, auth, {}};
    return send(c, c.path);
}

util::Result<json::value> AdminClient::health() {
    CRM_TRY(response, raw("GET", "/health", std::nullopt, AuthMode::none));
    boost::system::error_code ec;
    auto body = json::parse(response.body, ec);
    if (ec) {
        util::Error e{ErrorCode::protocol,
                      fmt::format("GET /health -> {}: non-JSON body from {}", response.status, m_base_url + "/health"),
                      m_base_url + "/health",
                      response.status,
                      {}};
        return std::unexpected(e);
    }
    if (response.status != 200) {
        util::Error e{ErrorCode::http_status,
                      fmt::format("GET /health -> {}: {}", response.status,
                                  util::get_string(body, "status").value_or("unhealthy")),
                      m_base_url + "/health",
                      response.status,
                      {}};
        return std::unexpected(e);
    }
    return body;
}

util::Result<PublicSettings> AdminClient::public_settings() {
    constexpr std::string_view path = "/api/v1/settings/public";
    CRM_TRY(data, call(Call{"GET", std::string(path), {}, {}, {}, AuthMode::none, {}}));
    return public_settings_from_json(data, fmt::format("GET {}", path));
}

util::Result<std::string> AdminClient::system_version() {
    CRM_TRY(data, get("/api/v1/admin/system/version"));
    return util::get_string(data, "version").value_or("");
}

std::vector<Exchange> AdminClient::take_exchanges() {
    std::lock_guard lock(m_mutex);
    std::vector<Exchange> out;
    out.swap(m_exchanges);
    return out;
}

}  // namespace crm::probes::sub2api
