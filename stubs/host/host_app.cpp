// Dispatch, authentication, the public routes and idempotency of the stub host. Route families
// live in host_resources.cpp, host_accounts.cpp and host_gateway.cpp.
#include "stubs/host/host_app.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "stubs/host/json_access.hpp"
#include "stubs/host/wire.hpp"
#include "util/sha256.hpp"

namespace crm::stubs {

namespace hostwire {

Response ok(const json::value& data) {
    Response r;
    r.body = wire::envelope(data);
    return r;
}

Response error(int status, std::string_view message, std::string_view reason, const json::object* metadata) {
    Response r;
    r.status = status;
    r.body = wire::handler_error(status, message, reason, metadata);
    return r;
}

Response middleware(int status, std::string_view code, std::string_view message) {
    Response r;
    r.status = status;
    r.body = wire::middleware_error(code, message);
    return r;
}

Response openai(int status, std::string_view type, std::string_view message) {
    Response r;
    r.status = status;
    r.body = wire::openai_error(type, message);
    return r;
}

Response bad_request(std::string_view detail) { return error(400, "Invalid request: " + std::string(detail)); }

Response not_found(std::string_view what) { return error(404, std::string(what) + " not found", "NOT_FOUND"); }

Response no_route() { return Response{404, {}, "text/plain", "404 page not found", {}}; }

Response proxy_page(int status) {
    const char* title = status == 504   ? "504 Gateway Time-out"
                        : status == 503 ? "503 Service Temporarily Unavailable"
                                        : "502 Bad Gateway";
    Response r;
    r.status = status;
    r.content_type = "text/html";
    r.headers.emplace_back("Server", "nginx");
    r.body = std::string("<html>\r\n<head><title>") + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
             "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    return r;
}

std::optional<json::object> parse_object(const Request& req, Response& err, bool allow_empty) {
    std::string_view text = req.body;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    if (text.empty()) {
        if (allow_empty) return json::object{};
        err = bad_request("EOF");
        return std::nullopt;
    }
    auto doc = util::parse_json(text, "request body");
    if (!doc) {
        err = bad_request(doc.error().message);
        return std::nullopt;
    }
    if (!doc->is_object()) {
        err = bad_request("json: cannot unmarshal " + std::string(doc->is_array() ? "array" : "value") +
                          " into Go value of type object");
        return std::nullopt;
    }
    return doc->as_object();
}

std::optional<std::int64_t> parse_id(const std::string& text) {
    if (text.empty() || text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoll(text);
}

}  // namespace hostwire

using namespace hostwire;

namespace {

constexpr std::string_view k_compliance_version = "v2026.06.10";
constexpr std::string_view k_phrase_en =
    "I have read, understood, and agree to the Sub2API Deployment and Operation Compliance Commitment";
constexpr std::string_view k_phrase_zh = "我已阅读、理解并同意《Sub2API 部署与运营合规承诺书》";

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        if (j > i) out.emplace_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

// Every route the stub serves, as Gin registers them (":id" matches any one segment). A request
// matching none gets Gin's text 404 before any middleware runs, like sub2api.
constexpr std::string_view k_routes[] = {"GET /health",
                                         "GET /setup/status",
                                         "GET /api/v1/settings/public",
                                         "POST /api/v1/auth/login",
                                         "GET /api/v1/auth/me",
                                         "GET /api/v1/groups/available",
                                         "GET /api/v1/subscriptions/active",
                                         "GET /v1/models",
                                         "GET /models",
                                         "POST /v1/chat/completions",
                                         "POST /chat/completions",
                                         "GET /api/v1/keys",
                                         "POST /api/v1/keys",
                                         "GET /api/v1/keys/:id",
                                         "PUT /api/v1/keys/:id",
                                         "DELETE /api/v1/keys/:id",
                                         "GET /api/v1/admin/compliance",
                                         "POST /api/v1/admin/compliance/accept",
                                         "GET /api/v1/admin/settings/admin-api-key",
                                         "DELETE /api/v1/admin/settings/admin-api-key",
                                         "POST /api/v1/admin/settings/admin-api-key/regenerate",
                                         "GET /api/v1/admin/system/version",
                                         "GET /api/v1/admin/groups",
                                         "POST /api/v1/admin/groups",
                                         "GET /api/v1/admin/groups/:id",
                                         "PUT /api/v1/admin/groups/:id",
                                         "DELETE /api/v1/admin/groups/:id",
                                         "GET /api/v1/admin/groups/:id/subscriptions",
                                         "GET /api/v1/admin/groups/:id/api-keys",
                                         "GET /api/v1/admin/channels",
                                         "POST /api/v1/admin/channels",
                                         "GET /api/v1/admin/channels/:id",
                                         "PUT /api/v1/admin/channels/:id",
                                         "DELETE /api/v1/admin/channels/:id",
                                         "GET /api/v1/admin/accounts",
                                         "POST /api/v1/admin/accounts",
                                         "GET /api/v1/admin/accounts/:id",
                                         "PUT /api/v1/admin/accounts/:id",
                                         "DELETE /api/v1/admin/accounts/:id",
                                         "POST /api/v1/admin/accounts/:id/test",
                                         "POST /api/v1/admin/accounts/:id/schedulable",
                                         "GET /api/v1/admin/accounts/:id/temp-unschedulable",
                                         "DELETE /api/v1/admin/accounts/:id/temp-unschedulable",
                                         "POST /api/v1/admin/accounts/:id/clear-error",
                                         "POST /api/v1/admin/accounts/:id/clear-rate-limit",
                                         "POST /api/v1/admin/accounts/:id/recover-state",
                                         "GET /api/v1/admin/accounts/:id/models",
                                         "GET /api/v1/admin/users",
                                         "POST /api/v1/admin/users",
                                         "GET /api/v1/admin/users/:id",
                                         "PUT /api/v1/admin/users/:id",
                                         "DELETE /api/v1/admin/users/:id",
                                         "POST /api/v1/admin/users/:id/balance",
                                         "GET /api/v1/admin/users/:id/api-keys",
                                         "GET /api/v1/admin/users/:id/subscriptions",
                                         "GET /api/v1/admin/users/:id/usage",
                                         "GET /api/v1/admin/subscriptions",
                                         "POST /api/v1/admin/subscriptions/assign",
                                         "GET /api/v1/admin/subscriptions/:id",
                                         "DELETE /api/v1/admin/subscriptions/:id",
                                         "POST /api/v1/admin/subscriptions/:id/revoke",
                                         "POST /api/v1/admin/subscriptions/:id/extend",
                                         "GET /api/v1/admin/usage"};
constexpr std::string_view k_fork_key_route = "POST /api/v1/admin/users/:id/api-keys";

// Matches a route against a request path split once per request (every request is checked
// against every route before it is served, so neither side is split per route).
bool route_matches(std::string_view route, std::string_view method, const std::vector<std::string>& have) {
    const auto space = route.find(' ');
    if (route.substr(0, space) != method) return false;
    std::string_view rest = route.substr(space + 1);
    std::size_t i = 0;
    while (!rest.empty()) {
        while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
        if (rest.empty()) break;
        const auto end = std::min(rest.find('/'), rest.size());
        const auto want = rest.substr(0, end);
        if (i >= have.size() || (want != ":id" && want != have[i])) return false;
        ++i;
        rest.remove_prefix(end);
    }
    return i == have.size();
}

std::string route_key(const Request& req) {
    std::string key = req.method + " ";
    for (const auto& s : split_path(req.path)) key += "/" + (hostwire::parse_id(s) ? std::string(":id") : s);
    return key;
}

}  // namespace

HostApp::HostApp(HostConfig config) : m_config(std::move(config)) {
    m_admin_key = m_config.admin_key;
    const std::int64_t now = wire::now_unix();
    const std::int64_t id = next_id("user");
    m_users[id] = json::object{{"id", id},
                               {"email", m_config.admin_email},
                               {"username", "admin"},
                               {"role", "admin"},
                               {"balance", 0.0},
                               {"frozen_balance", 0.0},
                               {"concurrency", 0},
                               {"status", "active"},
                               {"allowed_groups", json::array{}},
                               {"rpm_limit", 0},
                               {"notes", ""},
                               {"created_at", wire::rfc3339(now)},
                               {"_password", m_config.admin_password}};
    if (m_config.profile.host.seed_residue) seed_residue();
    m_routes_missing = m_config.profile.host.routes_missing;
    m_proxy_errors = m_config.profile.host.proxy_errors;
}

std::int64_t HostApp::next_id(const std::string& kind) { return ++m_ids[kind]; }

json::value HostApp::strip_internal(const json::object& o) {
    json::object out;
    for (const auto& kv : o)
        if (!kv.key().starts_with("_")) out.emplace(kv.key(), kv.value());
    return out;
}

std::map<std::string, std::uint64_t> HostApp::route_counts() const {
    std::lock_guard lock(m_mutex);
    return m_route_counts;
}

std::uint64_t HostApp::admin_logins() const {
    std::lock_guard lock(m_mutex);
    return m_admin_logins;
}

std::string HostApp::snapshot_json() const {
    std::lock_guard lock(m_mutex);
    auto list = [](const std::map<std::int64_t, json::object>& m) {
        json::array a;
        for (const auto& [id, o] : m) a.push_back(strip_internal(o));
        return a;
    };
    json::array keys;
    for (const auto& [id, k] : m_keys) {
        json::object v = strip_internal(k).as_object();
        v["key"] = wire::mask_key(jstr(k, "key").value_or(""));
        keys.push_back(v);
    }
    json::array account_list;  // credentials redacted as in GET: a snapshot may end up in evidence
    for (const auto& [id, a] : m_accounts) account_list.push_back(account_view(a));
    json::array users;
    for (const auto& [id, u] : m_users) users.push_back(strip_internal(u));
    json::array usage;
    for (const auto& u : m_usage) usage.push_back(u);
    return json::serialize(json::object{{"groups", list(m_groups)},
                                        {"accounts", account_list},
                                        {"channels", list(m_channels)},
                                        {"users", users},
                                        {"subscriptions", list(m_subscriptions)},
                                        {"api_keys", keys},
                                        {"usage", usage},
                                        {"compliance_acked", !m_compliance_acked.empty()}});
}

void HostApp::set_route_faults(std::vector<std::string> routes_missing, std::map<std::string, int> proxy_errors) {
    std::lock_guard lock(m_mutex);
    m_routes_missing = std::move(routes_missing);
    m_proxy_errors = std::move(proxy_errors);
}

Response HostApp::handle(const Request& request) {
    delay_answer();
    const std::string key = route_key(request);
    const bool may_mutate = request.method != "GET";
    {
        std::lock_guard lock(m_mutex);
        ++m_route_counts[key];
        if (may_mutate) bump_version();
        // The proxy answers before sub2api sees the request; a missing route is the router's
        // answer, before any middleware (auth, compliance gate).
        if (auto it = m_proxy_errors.find(key); it != m_proxy_errors.end()) return proxy_page(it->second);
        if (std::find(m_routes_missing.begin(), m_routes_missing.end(), key) != m_routes_missing.end())
            return no_route();
    }
    const auto segments = split_path(request.path);
    bool routed = m_config.fork_admin_key_route && route_matches(k_fork_key_route, request.method, segments);
    for (auto route : k_routes) routed = routed || route_matches(route, request.method, segments);
    if (!routed) return no_route();
    Response r = dispatch(request);
    if (may_mutate) {
        std::lock_guard lock(m_mutex);
        bump_version();
    }
    if (r.status >= 200 && r.status < 300) stall_admin_answer(request);
    return r;
}

void HostApp::delay_answer() {
    const int ms = m_config.profile.host.latency_ms;
    if (ms <= 0) return;
    // Slices, like the stalls: a stopping stub is not held for the whole delay.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!m_stopping.load()) {
        const auto left = until - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
    }
}

void HostApp::stall_admin_answer(const Request& req) {
    const auto& f = m_config.profile.host;
    if (f.admin_stall_ms <= 0 || f.admin_stall_method != req.method || !req.path.starts_with("/api/v1/admin/")) return;
    if (!f.admin_stall_path.empty() && !req.path.starts_with(f.admin_stall_path)) return;
    if (f.admin_stall_count > 0 && m_admin_stalls.fetch_add(1) >= f.admin_stall_count) return;
    // Slices, so a stopping stub (tests, `stubhost` on SIGTERM) is not held for the whole stall.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(f.admin_stall_ms);
    while (!m_stopping.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

Response HostApp::dispatch(const Request& req) {
    bool matched = false;
    Response r = gateway(req, matched);
    if (matched) return r;
    r = public_route(req, matched);
    if (matched) return r;
    auto seg = split_path(req.path);
    if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "admin") {
        std::int64_t admin_id = 0;
        if (auto denied = admin_auth(req, admin_id)) return *denied;
        Ctx ctx{req, std::vector<std::string>(seg.begin() + 3, seg.end()), admin_id};
        if (ctx.seg.empty()) return no_route();
        if (ctx.seg[0] != "compliance" && m_config.profile.host.compliance_gate) {
            std::lock_guard lock(m_mutex);
            if (!m_compliance_acked.contains(admin_id)) {
                Response gate;
                gate.status = 423;
                gate.body = json::serialize(
                    json::object{{"code", "ADMIN_COMPLIANCE_ACK_REQUIRED"},
                                 {"message",
                                  "Please read and accept the Sub2API Deployment and Operation Compliance Commitment "
                                  "before using admin APIs"},
                                 {"metadata", json::object{{"version", k_compliance_version},
                                                           {"document_path_zh", "/legal/compliance-commitment.zh.md"},
                                                           {"document_path_en", "/legal/compliance-commitment.en.md"},
                                                           {"accept_path", "/api/v1/admin/compliance/accept"},
                                                           {"ack_phrase_en", k_phrase_en}}}});
                return gate;
            }
        }
        return admin_route(ctx);
    }
    if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1" &&
        (seg[2] == "keys" || seg[2] == "groups" || seg[2] == "subscriptions" ||
         (seg[2] == "auth" && seg.size() == 4 && seg[3] == "me"))) {
        std::int64_t user_id = 0;
        if (auto denied = user_auth(req, user_id)) return *denied;
        Ctx ctx{req, std::vector<std::string>(seg.begin() + 2, seg.end()), user_id};
        return user_route(ctx);
    }
    return no_route();
}

std::optional<Response> HostApp::admin_auth(const Request& req, std::int64_t& admin_id) {
    if (auto key = req.header("x-api-key")) {
        std::lock_guard lock(m_mutex);
        if (m_admin_key.empty() || !constant_time_equal(*key, m_admin_key))
            return middleware(401, "INVALID_ADMIN_KEY", "Invalid admin API key");
        for (const auto& [id, u] : m_users) {
            if (jstr(u, "role").value_or("") == "admin") {
                admin_id = id;
                return std::nullopt;
            }
        }
        return middleware(401, "INVALID_ADMIN_KEY", "Invalid admin API key");
    }
    if (!req.header("authorization")) return middleware(401, "UNAUTHORIZED", "Authorization required");
    std::int64_t user_id = 0;
    if (auto denied = user_auth(req, user_id)) return denied;
    std::lock_guard lock(m_mutex);
    auto it = m_users.find(user_id);
    if (it == m_users.end() || jstr(it->second, "role").value_or("") != "admin")
        return middleware(403, "FORBIDDEN", "Admin access required");
    admin_id = user_id;
    return std::nullopt;
}

std::optional<Response> HostApp::user_auth(const Request& req, std::int64_t& user_id) {
    auto auth = req.header("authorization");
    if (!auth) return middleware(401, "UNAUTHORIZED", "Authorization header is required");
    if (!auth->starts_with("Bearer ") || auth->size() <= 7)
        return middleware(401, "INVALID_AUTH_HEADER", "Authorization header format must be 'Bearer {token}'");
    json::object claims;
    switch (wire::verify_jwt(auth->substr(7), m_config.jwt_secret, wire::now_unix(), &claims)) {
        case wire::JwtCheck::ok:
            break;
        case wire::JwtCheck::expired:
            return middleware(401, "TOKEN_EXPIRED", "Token has expired");
        default:
            return middleware(401, "INVALID_TOKEN", "Invalid token");
    }
    auto id = jint(claims, "user_id");
    std::lock_guard lock(m_mutex);
    auto it = id ? m_users.find(*id) : m_users.end();
    if (it == m_users.end()) return middleware(401, "USER_NOT_FOUND", "User not found");
    if (jstr(it->second, "status").value_or("") != "active")
        return middleware(401, "USER_INACTIVE", "User is not active");
    user_id = *id;
    return std::nullopt;
}

Response HostApp::public_route(const Request& req, bool& matched) {
    matched = true;
    const auto& p = req.path;
    if (req.method == "GET" && p == "/health") return Response{200, {}, "application/json", R"({"status":"ok"})", {}};
    if (req.method == "GET" && p == "/setup/status")
        return Response{
            200, {}, "application/json", R"({"code":0,"data":{"needs_setup":false,"step":"completed"}})", {}};
    if (req.method == "GET" && p == "/api/v1/settings/public")
        return ok(json::object{{"version", "0.1.179"},
                               {"site_name", "Sub2API"},
                               {"registration_enabled", false},
                               {"email_verify_enabled", false},
                               {"backend_mode_enabled", false},
                               {"turnstile_enabled", false},
                               {"api_base_url", ""},
                               {"contact_info", ""}});
    if (req.method == "POST" && p == "/api/v1/auth/login") return login(req);
    matched = false;
    return {};
}

Response HostApp::login(const Request& req) {
    Response err;
    auto body = parse_object(req, err);
    if (!body) return err;
    auto email = jstr(*body, "email");
    auto password = jstr(*body, "password");
    if (!email || email->find('@') == std::string::npos)
        return bad_request("Key: 'LoginRequest.Email' Error:Field validation for 'Email' failed on the 'email' tag");
    if (!password || password->empty())
        return bad_request(
            "Key: 'LoginRequest.Password' Error:Field validation for 'Password' failed on the 'required' tag");
    std::lock_guard lock(m_mutex);
    for (const auto& [id, u] : m_users) {
        if (jstr(u, "email").value_or("") != *email) continue;
        if (jstr(u, "_password").value_or("") != *password) break;
        if (jstr(u, "status").value_or("") != "active") return error(403, "User account is disabled", "USER_INACTIVE");
        const std::int64_t now = wire::now_unix();
        json::object claims{{"user_id", id},
                            {"email", *email},
                            {"role", jstr(u, "role").value_or("user")},
                            {"iat", now},
                            {"exp", now + 86400}};
        json::object refresh = claims;
        refresh["typ"] = "refresh";
        refresh["exp"] = now + 7 * 86400;
        if (jstr(u, "role").value_or("") == "admin") ++m_admin_logins;
        return ok(json::object{{"access_token", wire::make_jwt(claims, m_config.jwt_secret)},
                               {"refresh_token", wire::make_jwt(refresh, m_config.jwt_secret)},
                               {"expires_in", 86400},
                               {"token_type", "Bearer"},
                               {"user", user_view(u)}});
    }
    return error(401, "Invalid email or password", "INVALID_CREDENTIALS");
}

Response HostApp::admin_route(Ctx& ctx) {
    const auto& s = ctx.seg;
    if (s[0] == "compliance") return compliance(ctx);
    if (s[0] == "settings" && s.size() >= 2 && s[1] == "admin-api-key") return admin_key_settings(ctx);
    if (s[0] == "system" && s.size() == 2 && s[1] == "version" && ctx.req.method == "GET")
        return ok(json::object{{"version", "0.1.179"}});
    if (s[0] == "groups") return groups(ctx);
    if (s[0] == "accounts") return accounts(ctx);
    if (s[0] == "channels") return channels(ctx);
    if (s[0] == "users") return users(ctx);
    if (s[0] == "subscriptions") return subscriptions(ctx);
    if (s[0] == "usage") return usage(ctx);
    return no_route();
}

Response HostApp::compliance(Ctx& ctx) {
    const auto& s = ctx.seg;
    const bool gate = m_config.profile.host.compliance_gate;
    if (s.size() == 1 && ctx.req.method == "GET") {
        std::lock_guard lock(m_mutex);
        const bool acked = m_compliance_acked.contains(ctx.user_id);
        json::object data{{"required", gate && !acked},
                          {"version", k_compliance_version},
                          {"ack_phrase_en", k_phrase_en},
                          {"ack_phrase_zh", k_phrase_zh}};
        if (acked)
            data["acknowledgement"] = json::object{{"version", k_compliance_version}, {"admin_user_id", ctx.user_id}};
        return ok(data);
    }
    if (s.size() == 2 && s[1] == "accept" && ctx.req.method == "POST") {
        Response err;
        auto body = parse_object(ctx.req, err);
        if (!body) return err;
        auto phrase = jstr(*body, "phrase").value_or("");
        if (phrase != k_phrase_en && phrase != k_phrase_zh)
            return error(400, "The acknowledgement phrase does not match", "ADMIN_COMPLIANCE_INVALID_PHRASE");
        std::lock_guard lock(m_mutex);
        m_compliance_acked.insert(ctx.user_id);
        return ok(json::object{{"required", false},
                               {"version", k_compliance_version},
                               {"acknowledgement", json::object{{"version", k_compliance_version},
                                                                {"admin_user_id", ctx.user_id},
                                                                {"language", jstr(*body, "language").value_or("en")},
                                                                {"accepted_at", wire::rfc3339(wire::now_unix())}}}});
    }
    return no_route();
}

Response HostApp::admin_key_settings(Ctx& ctx) {
    const auto& s = ctx.seg;
    const auto& m = ctx.req.method;
    std::lock_guard lock(m_mutex);
    if (s.size() == 2 && m == "GET")
        return ok(json::object{{"exists", !m_admin_key.empty()},
                               {"masked_key", m_admin_key.empty() ? "" : wire::mask_key(m_admin_key)}});
    if (s.size() == 3 && s[2] == "regenerate" && m == "POST") {
        m_admin_key = wire::make_admin_key();
        return ok(json::object{{"key", m_admin_key}});
    }
    if (s.size() == 2 && m == "DELETE") {
        m_admin_key.clear();
        return ok(json::object{{"message", "Admin API key deleted"}});
    }
    return no_route();
}

Response HostApp::user_route(Ctx& ctx) {
    const auto& s = ctx.seg;  // after /api/v1
    const auto& m = ctx.req.method;
    if (s[0] == "keys") return user_keys(ctx);
    if (s[0] == "auth" && m == "GET") {
        std::lock_guard lock(m_mutex);
        return ok(user_view(m_users.at(ctx.user_id)));
    }
    if (s[0] == "groups" && s.size() == 2 && s[1] == "available" && m == "GET") {
        std::lock_guard lock(m_mutex);
        const auto now = wire::now_unix();
        const auto& user = m_users.at(ctx.user_id);
        json::array out;
        const auto counts = counts_by_group(now);
        for (const auto& [id, g] : m_groups) {
            if (jstr(g, "status").value_or("") != "active" || !user_may_bind(user, g, now)) continue;
            auto c = counts.find(id);
            out.push_back(group_view(g, c == counts.end() ? GroupCounts{} : c->second));
        }
        return ok(out);
    }
    if (s[0] == "subscriptions" && s.size() == 2 && s[1] == "active" && m == "GET") {
        std::lock_guard lock(m_mutex);
        const auto now = wire::now_unix();
        json::array out;
        for (const auto& [id, sub] : m_subscriptions)
            if (jint(sub, "user_id").value_or(0) == ctx.user_id &&
                active_subscription(ctx.user_id, jint(sub, "group_id").value_or(0), now))
                out.push_back(subscription_view(sub, now));
        return ok(out);
    }
    return no_route();
}

Response HostApp::with_idempotency(const Request& req, const std::string& scope, const std::function<Response()>& fn) {
    auto key = req.header("idempotency-key");
    if (!key || key->empty()) return fn();
    const std::string slot = scope + "|" + *key;
    const std::string hash = util::sha256_hex(req.method + " " + req.path + "\n" + req.body);
    {
        std::lock_guard lock(m_mutex);
        auto it = m_idempotency.find(slot);
        if (it != m_idempotency.end()) {
            if (it->second.body_hash != hash)
                return error(409, "Idempotency key reused with a different request", "IDEMPOTENCY_KEY_CONFLICT");
            Response replay = it->second.response;
            replay.headers.emplace_back("X-Idempotency-Replayed", "true");
            return replay;
        }
    }
    Response r = fn();
    if (r.status < 500 && !r.stream) {
        std::lock_guard lock(m_mutex);
        m_idempotency.emplace(slot, IdemEntry{hash, r});
    }
    return r;
}

}  // namespace crm::stubs
