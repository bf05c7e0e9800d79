#include "engine/host/host_session.hpp"

namespace crm::engine {

namespace sub2api = probes::sub2api;

namespace {

std::string trimmed(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

sub2api::AdminClientOptions client_options(const HostTarget& host) {
    sub2api::AdminClientOptions o;
    o.base_url = host.url;
    o.credentials = host.admin;
    o.accept_compliance = host.accept_compliance;
    o.timeouts = host.timeouts;
    o.page_size = 1000;  // reconcile lists whole platforms; fewer, larger pages
    // A session lives for a whole run; nobody drains an exchange log from it.
    o.record_exchanges = false;
    return o;
}

bool same_session(const HostTarget& a, const HostTarget& b) {
    return a.url == b.url && a.admin == b.admin && a.accept_compliance == b.accept_compliance &&
           a.timeouts == b.timeouts;
}

}  // namespace

HostSession::HostSession(probes::HttpTransport& http, util::SecretRegistry& secrets, const HostTarget& target)
    : m_admin(http, client_options(target), secrets) {}

util::Result<sub2api::HostCapabilities> HostSession::capabilities() {
    std::lock_guard lock(m_probe_mutex);
    if (m_capabilities) return *m_capabilities;
    auto caps = m_admin.probe_capabilities();
    if (!caps) return caps;
    // Only an answer about the credentials holds for the rest of the run; a host that was down
    // or behind a failing proxy for this probe may answer the next one.
    if (caps->admin_auth_ok || caps->admin_auth_refused) m_capabilities = *caps;
    return caps;
}

HostSessions::HostSessions(probes::HttpTransport& http, util::SecretRegistry& secrets, Reuse reuse)
    : m_http(http), m_secrets(secrets), m_reuse(reuse) {}

HostSession& HostSessions::session(const HostTarget& target) {
    HostTarget key = target;
    key.url = trimmed(key.url);
    std::lock_guard lock(m_mutex);
    if (m_reuse == Reuse::per_host) {
        for (auto& e : m_entries) {
            if (same_session(e.target, key)) return *e.session;
        }
    }
    auto session = std::make_unique<HostSession>(m_http, m_secrets, key);
    auto& out = *session;
    m_entries.push_back({std::move(key), std::move(session)});
    return out;
}

}  // namespace crm::engine
