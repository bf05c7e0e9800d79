// /api/hosts: registering sub2api hosts with the admin credentials the engine needs, reading
// them back (never a secret) and probing them through engine.probe_host.
#include <fmt/format.h>

#include "harness/serve/api_routes.hpp"
#include "harness/serve/idempotency.hpp"
#include "util/json.hpp"

namespace crm::harness::serve {

namespace {

json::object host_json(const engine::HostRecord& h, const std::optional<engine::HostCredentialsRecord>& c) {
    json::value caps = nullptr;
    if (!h.probed_at.empty()) {
        if (auto parsed = util::parse_json(h.capabilities_json, "hosts.capabilities_json")) caps = std::move(*parsed);
    }
    return json::object{{"id", h.id},
                        {"name", h.name},
                        {"url", h.url},
                        {"version", h.version},
                        {"probed_at", h.probed_at.empty() ? json::value(nullptr) : json::value(h.probed_at)},
                        {"admin_auth", c ? json::value(engine::to_string(c->admin_auth)) : json::value(nullptr)},
                        {"capabilities", std::move(caps)}};
}

ApiResult host_response(ApiContext& ctx, int status, std::int64_t host_id) {
    auto h = ctx.store.host(host_id);
    if (!h) return std::unexpected(ctx.api_error(h.error()));
    auto c = ctx.credentials.get(host_id);
    if (!c) return std::unexpected(ctx.api_error(c.error()));
    return ok(status, json::object{{"host", host_json(*h, *c)}});
}

bool http_url(const std::string& url) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (url.starts_with(scheme) && url.size() > scheme.size() && url.find(' ') == std::string::npos) return true;
    }
    return false;
}

// The credentials of a create body: exactly one of admin_key, admin_key_env or
// admin_email + admin_password_env; a named variable must be set now (a typo found at
// registration, not at the first import).
Checked<engine::HostCredentialsRecord> credentials_of(ApiContext& ctx, const json::object& body) {
    engine::HostCredentialsRecord c;
    auto key = opt_string(body, "admin_key");
    if (!key) return std::unexpected(key.error());
    auto key_env = opt_string(body, "admin_key_env");
    if (!key_env) return std::unexpected(key_env.error());
    auto email = opt_string(body, "admin_email");
    if (!email) return std::unexpected(email.error());
    auto password_env = opt_string(body, "admin_password_env");
    if (!password_env) return std::unexpected(password_env.error());
    auto compliance = opt_bool(body, "accept_compliance");
    if (!compliance) return std::unexpected(compliance.error());
    c.accept_compliance = compliance->value_or(false);

    const int given =
        int{key->has_value()} + int{key_env->has_value()} + int{email->has_value() || password_env->has_value()};
    if (given != 1) {
        return std::unexpected(invalid_input(
            "admin credentials: give exactly one of admin_key, admin_key_env, or admin_email with admin_password_env"));
    }
    auto must_be_set = [&](const std::string& field, const std::string& name) -> Checked<void> {
        if (auto usable = usable_secret_variable(field, name); !usable) return usable;
        auto v = ctx.env(name);
        if (!v || v->empty()) {
            return std::unexpected(
                ApiError{422, "missing_secret",
                         fmt::format("{}: variable {} is not set in the server's environment", field, name)});
        }
        return {};
    };
    if (*key) {
        c.admin_auth = engine::AdminAuth::key;
        c.admin_key = **key;
        ctx.secrets.add(c.admin_key);
    } else if (*key_env) {
        c.admin_auth = engine::AdminAuth::key_env;
        c.admin_key_env = **key_env;
        if (auto set = must_be_set("admin_key_env", c.admin_key_env); !set) return std::unexpected(set.error());
    } else {
        if (!*email) return std::unexpected(invalid_input("admin_email: is required with admin_password_env"));
        if (!*password_env) return std::unexpected(invalid_input("admin_password_env: is required with admin_email"));
        c.admin_auth = engine::AdminAuth::login;
        c.admin_email = **email;
        c.admin_password_env = **password_env;
        if (auto set = must_be_set("admin_password_env", c.admin_password_env); !set)
            return std::unexpected(set.error());
    }
    return c;
}

ApiResult create_host(ApiContext& ctx, const ApiRequest& req) {
    auto body = read_body(req.body, {"name", "url", "admin_key", "admin_key_env", "admin_email", "admin_password_env",
                                     "accept_compliance"});
    if (!body) return std::unexpected(body.error());
    auto url = req_string(*body, "url");
    if (!url) return std::unexpected(url.error());
    while (url->size() > 1 && url->back() == '/') url->pop_back();
    if (!http_url(*url)) {
        return std::unexpected(
            invalid_input(fmt::format("url: must be an http:// or https:// URL (got \"{}\")", *url)));
    }
    auto name = opt_string(*body, "name");
    if (!name) return std::unexpected(name.error());
    auto creds = credentials_of(ctx, *body);
    if (!creds) return std::unexpected(creds.error());

    auto existing = ctx.store.find_host(*url);
    if (!existing) return std::unexpected(ctx.api_error(existing.error()));
    auto id = ctx.store.upsert_host(name->value_or(""), *url);
    if (!id) return std::unexpected(ctx.api_error(id.error()));
    creds->host_id = *id;
    if (auto put = ctx.credentials.put(*creds); !put) return std::unexpected(ctx.api_error(put.error()));
    return host_response(ctx, existing->has_value() ? 200 : 201, *id);
}

ApiResult list_hosts(ApiContext& ctx, const ApiRequest& req) {
    if (auto q = check_query(req.query, {}); !q) return std::unexpected(q.error());
    auto hosts = ctx.store.hosts();
    if (!hosts) return std::unexpected(ctx.api_error(hosts.error()));
    json::array out;
    for (const auto& h : *hosts) {
        auto c = ctx.credentials.get(h.id);
        if (!c) return std::unexpected(ctx.api_error(c.error()));
        out.push_back(host_json(h, *c));
    }
    return ok(200, json::object{{"hosts", std::move(out)}});
}

ApiResult get_host(ApiContext& ctx, const ApiRequest& req) {
    auto id = parse_id(req.params.at("hostID"), "hostID");
    if (!id) return std::unexpected(id.error());
    return host_response(ctx, 200, *id);
}

ApiResult probe_host(ApiContext& ctx, const ApiRequest& req) {
    if (auto body = read_body(req.body, {}); !body) return std::unexpected(body.error());
    auto id = parse_id(req.params.at("hostID"), "hostID");
    if (!id) return std::unexpected(id.error());
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    auto target = ctx.target(*id);
    if (!target) return std::unexpected(ctx.api_error(target.error()));
    auto caps = ctx.engine().probe_host(*target);
    if (!caps) {
        ctx.events.engine_operation("probe", "error");
        return std::unexpected(ctx.api_error(caps.error()));
    }
    ctx.events.engine_operation("probe", caps->reachable && caps->admin_auth_ok ? "succeeded" : "failed");
    return ok(200, caps->to_json());
}

}  // namespace

std::vector<Route> host_routes(ApiContext& ctx) {
    return {
        {"GET", "/api/hosts", "listHosts", [&ctx](const ApiRequest& r) { return list_hosts(ctx, r); }},
        {"POST", "/api/hosts", "createHost",
         [&ctx](const ApiRequest& r) {
             return run_idempotent(ctx.idempotency, r, [&] { return create_host(ctx, r); });
         }},
        {"GET", "/api/hosts/{hostID}", "getHost", [&ctx](const ApiRequest& r) { return get_host(ctx, r); }},
        {"POST", "/api/hosts/{hostID}/probe", "probeHost", [&ctx](const ApiRequest& r) { return probe_host(ctx, r); }},
    };
}

}  // namespace crm::harness::serve
