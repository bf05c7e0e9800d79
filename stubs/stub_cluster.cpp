// Wires the stub upstreams and the stub host: resolves profiles, generates credentials, binds
// the listeners (upstreams first, so the host knows their URLs) and owns their lifetimes.
#include "stubs/stub_cluster.hpp"

#include "stubs/host/host_app.hpp"
#include "stubs/host/wire.hpp"
#include "stubs/http/http_server.hpp"
#include "stubs/upstream/stub_upstream.hpp"
#include "util/random.hpp"

namespace crm::stubs {

struct StubCluster::Impl {
    StubEndpoints endpoints;
    std::vector<std::pair<std::string, std::unique_ptr<StubUpstream>>> upstreams;
    std::vector<std::unique_ptr<HttpServer>> upstream_servers;
    std::unique_ptr<HostApp> host;
    std::unique_ptr<HttpServer> host_server;
    bool stopped = false;
};

StubCluster::StubCluster(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

StubCluster::~StubCluster() { stop(); }

util::Result<std::unique_ptr<StubCluster>> StubCluster::start(StubOptions options) {
    if (options.upstreams.empty())
        options.upstreams = {
            {"deepseek", "deepseek", "healthy"}, {"minimax", "minimax", "healthy"}, {"kimi", "openai", "healthy"}};
    CRM_TRY(host_profile, load_profile(options.host_profile));
    auto impl = std::make_unique<Impl>();
    HostConfig config;
    config.profile = host_profile;
    config.fork_admin_key_route = options.fork_admin_key_route;
    config.admin_password = "stub-" + util::random_hex(12);
    config.admin_key = wire::make_admin_key();
    config.jwt_secret = util::random_hex(32);
    for (const auto& spec : options.upstreams) {
        if (spec.style != "deepseek" && spec.style != "minimax" && spec.style != "openai")
            return util::fail(util::ErrorCode::invalid_input, "unknown upstream style '" + spec.style + "' for '" +
                                                                  spec.name + "' (deepseek|minimax|openai)");
        if (spec.name.empty() || impl->endpoints.upstream_urls.contains(spec.name))
            return util::fail(util::ErrorCode::invalid_input,
                              "upstream names must be unique and non-empty: '" + spec.name + "'");
        auto own = load_profile(spec.profile.empty() ? "healthy" : spec.profile);
        if (!own) return std::unexpected(own.error());
        // The upstream part comes from the provider's own profile unless that one is healthy,
        // in which case the run-wide profile's upstream part applies.
        const bool own_is_healthy = own->upstream == UpstreamFaults{};
        UpstreamFaults faults = own_is_healthy ? host_profile.upstream : own->upstream;
        const std::string key = "sk-" + spec.name + "-" + util::random_hex(24);
        auto upstream = std::make_unique<StubUpstream>(spec.name, spec.style, key, faults);
        StubUpstream* raw = upstream.get();
        CRM_TRY(server,
                HttpServer::start(0, [raw](const Request& r) { return raw->handle(r); }, options.max_body_bytes));
        const std::string prefix = "http://127.0.0.1:" + std::to_string((server)->port());
        impl->endpoints.upstream_urls[spec.name] = spec.style == "deepseek" ? prefix : prefix + "/v1";
        impl->endpoints.upstream_keys[spec.name] = key;
        config.upstreams.push_back(HostUpstreamInfo{spec.name, prefix, *own});
        impl->upstreams.emplace_back(spec.name, std::move(upstream));
        impl->upstream_servers.push_back(std::move(server));
    }
    impl->endpoints.admin_api_key = config.admin_key;
    impl->endpoints.admin_email = config.admin_email;
    impl->endpoints.admin_password = config.admin_password;
    impl->host = std::make_unique<HostApp>(std::move(config));
    HostApp* host = impl->host.get();
    CRM_TRY(server,
            HttpServer::start(
                options.host_port, [host](const Request& r) { return host->handle(r); }, options.max_body_bytes));
    impl->endpoints.host_url = "http://127.0.0.1:" + std::to_string((server)->port());
    impl->host_server = std::move(server);
    return std::unique_ptr<StubCluster>(new StubCluster(std::move(impl)));
}

const StubEndpoints& StubCluster::endpoints() const { return m_impl->endpoints; }

void StubCluster::stop() {
    if (!m_impl || m_impl->stopped) return;
    m_impl->stopped = true;
    if (m_impl->host) m_impl->host->stop();
    for (auto& [name, up] : m_impl->upstreams) up->stop();
    // Upstreams first: host threads blocked on an upstream call then see the peer close.
    for (auto& s : m_impl->upstream_servers) s->stop();
    if (m_impl->host_server) m_impl->host_server->stop();
}

StubCounters StubCluster::counters() const {
    StubCounters c;
    if (m_impl->host) {
        c.host_routes = m_impl->host->route_counts();
        c.admin_logins = m_impl->host->admin_logins();
    }
    for (const auto& [name, up] : m_impl->upstreams) c.upstream_calls[name] = up->chat_calls();
    return c;
}

std::string StubCluster::snapshot_json() const { return m_impl->host->snapshot_json(); }

void StubCluster::set_route_faults(std::vector<std::string> routes_missing, std::map<std::string, int> proxy_errors) {
    m_impl->host->set_route_faults(std::move(routes_missing), std::move(proxy_errors));
}

void StubCluster::release_stalls() {
    for (auto& s : m_impl->upstream_servers) s->release_waiters();
    if (m_impl->host_server) m_impl->host_server->release_waiters();
}

}  // namespace crm::stubs
