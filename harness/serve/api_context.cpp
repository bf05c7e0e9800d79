#include "harness/serve/api_context.hpp"

#include <fmt/format.h>

namespace crm::harness::serve {

ApiContext::ApiContext(engine::StateStore store_, engine::PackCatalog catalog_, probes::HttpTransport& http_,
                       util::SecretRegistry& secrets_, util::EnvLookup env_, PlaneEvents& events_)
    : store(std::move(store_)),
      catalog(std::move(catalog_)),
      http(http_),
      secrets(secrets_),
      env(std::move(env_)),
      events(events_),
      sessions(http_, secrets_),
      credentials(store),
      idempotency(store) {}

engine::Engine ApiContext::engine() {
    return engine::Engine(
        engine::EngineDeps{store, http, secrets, env, catalog, nullptr, {}, engine::filesystem_reader(), &sessions});
}

util::Result<engine::HostTarget> ApiContext::target(std::int64_t host_id) {
    CRM_TRY(host, store.host(host_id));
    CRM_TRY(creds, credentials.get(host_id));
    if (!creds) {
        return util::fail(
            util::ErrorCode::missing_secret,
            fmt::format("host {} ({}) has no admin credentials; register it with POST /api/hosts", host_id, host.url));
    }
    engine::HostTarget t;
    t.name = host.name;
    t.url = host.url;
    t.accept_compliance = creds->accept_compliance;
    auto from_env = [&](const std::string& name, std::string_view what) -> util::Result<std::string> {
        auto value = env(name);
        if (!value || value->empty()) {
            return util::fail(
                util::ErrorCode::missing_secret,
                fmt::format("host {}: {} variable {} is not set in the server's environment", host_id, what, name));
        }
        secrets.add(*value);
        return *value;
    };
    switch (creds->admin_auth) {
        case engine::AdminAuth::key:
            secrets.add(creds->admin_key);
            t.admin.api_key = creds->admin_key;
            break;
        case engine::AdminAuth::key_env: {
            CRM_TRY(key, from_env(creds->admin_key_env, "admin key"));
            t.admin.api_key = std::move(key);
            break;
        }
        case engine::AdminAuth::login: {
            CRM_TRY(password, from_env(creds->admin_password_env, "admin password"));
            t.admin.email = creds->admin_email;
            t.admin.password = std::move(password);
            break;
        }
    }
    return t;
}

ApiError map_error(const util::Error& e) {
    using util::ErrorCode;
    const std::string message = e.describe();
    switch (e.code) {
        case ErrorCode::invalid_input:
            return {400, "invalid_input", message};
        case ErrorCode::not_found:
            return {404, "not_found", message};
        case ErrorCode::conflict:
            return {409, "conflict", message};
        case ErrorCode::missing_secret:
            return {422, "missing_secret", message};
        case ErrorCode::connect_failed:
        case ErrorCode::host_rejected:
        case ErrorCode::protocol:
            return {502, "host_unreachable", message};
        case ErrorCode::timeout:
        case ErrorCode::stalled:
            return {504, "host_timeout", message};
        case ErrorCode::interrupted:
            return {503, "shutting_down", message};
        default:
            return {500, "internal", message};
    }
}

ApiError ApiContext::api_error(const util::Error& e) const {
    auto mapped = map_error(e);
    mapped.message = secrets.scrub(mapped.message);
    return mapped;
}

Checked<void> ApiContext::accepting() const {
    if (stopping.load()) return std::unexpected(ApiError{503, "shutting_down", "the control plane is shutting down"});
    return {};
}

}  // namespace crm::harness::serve
