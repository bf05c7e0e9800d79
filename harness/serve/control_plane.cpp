#include "harness/serve/control_plane.hpp"

#include <fmt/format.h>

#include "harness/serve/api_routes.hpp"
#include "util/duration.hpp"

namespace crm::harness::serve {

util::Result<std::unique_ptr<ControlPlane>> ControlPlane::open(ControlPlaneOptions options, probes::HttpTransport& http,
                                                               util::SecretRegistry& secrets, PlaneEvents& events) {
    CRM_TRY(store, engine::StateStore::open(options.db));
    engine::PackCatalog catalog;
    if (!options.pack_dir.empty()) {
        CRM_TRY(loaded, engine::load_pack_dir(options.pack_dir, options.env));
        catalog = std::move(loaded);
    }
    auto ctx = std::make_unique<ApiContext>(std::move(store), std::move(catalog), http, secrets, options.env, events);
    // Literal admin keys are secrets from the moment the server knows them, not from first use:
    // an error message or a log line quoting one is scrubbed either way.
    CRM_TRY(all, ctx->credentials.all());
    for (const auto& c : all) secrets.add(c.admin_key);
    // A claim still "running" belongs to a server that died mid-request; kept, it would refuse
    // that key's retries for a day. The operation itself is journaled (GET its batch).
    CRM_TRY_VOID(ctx->idempotency.clear_running());
    return std::unique_ptr<ControlPlane>(new ControlPlane(std::move(ctx), options));
}

ControlPlane::ControlPlane(std::unique_ptr<ApiContext> ctx, const ControlPlaneOptions& options)
    : m_ctx(std::move(ctx)), m_worker(*m_ctx, options.worker_enabled, options.worker_interval) {}

ControlPlane::~ControlPlane() { stop(); }

std::vector<Route> ControlPlane::routes() {
    std::vector<Route> all;
    for (auto part : {host_routes(*m_ctx), pack_routes(*m_ctx), provider_routes(*m_ctx), batch_routes(*m_ctx)}) {
        for (auto& r : part) all.push_back(std::move(r));
    }
    return all;
}

void ControlPlane::start_worker() {
    if (!m_ctx->stopping.load()) m_worker.start();
}

void ControlPlane::stop() {
    m_ctx->stopping.store(true);
    m_worker.stop();
}

json::object ControlPlane::health() {
    std::string store_state = "ok";
    // A cheap read through the shared connection, not integrity_check (which reads every page).
    if (auto v = m_ctx->store.schema_version(); !v) {
        store_state = m_ctx->secrets.scrub(v.error().describe());
    } else if (*v != engine::k_schema_version) {
        store_state = fmt::format("schema version {} (expected {})", *v, engine::k_schema_version);
    }
    return json::object{{"store", store_state}, {"worker", m_worker.status().to_json()}};
}

util::Result<std::pair<bool, std::chrono::milliseconds>> worker_settings(const util::EnvLookup& env) {
    constexpr std::string_view k_enabled = "SUB2API_CRM_RECONCILE_WORKER_ENABLED";
    constexpr std::string_view k_interval = "SUB2API_CRM_RECONCILE_POLL_INTERVAL";
    std::pair<bool, std::chrono::milliseconds> out{false, std::chrono::minutes(5)};
    if (auto v = env(k_enabled); v && !v->empty()) {
        if (*v == "true" || *v == "1") {
            out.first = true;
        } else if (*v == "false" || *v == "0") {
            out.first = false;
        } else {
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("{}={}: expected true, false, 1 or 0", k_enabled, *v));
        }
    }
    if (auto v = env(k_interval); v && !v->empty()) {
        auto d = util::parse_go_duration(*v);
        if (!d) {
            return util::fail(
                util::ErrorCode::invalid_input,
                fmt::format("{}={}: expected a positive Go duration such as 30s, 5m, 1h30m or 500ms", k_interval, *v));
        }
        out.second = *d;
    }
    return out;
}

}  // namespace crm::harness::serve
