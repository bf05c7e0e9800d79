#pragma once
// The host session: one admin client (one login, one compliance acceptance) and one capability
// probe per host, shared by every engine operation on that host. `crm-accept run` shares one
// HostSessions across all its cells; an Engine given none keeps its own (one per process for
// `crm-accept engine <verb>`).
//
// Contract:
// - HostSessions::session(target) returns the session for `target`: created on first use, the
//   same object for every later call with an equal target (URL without a trailing '/', admin
//   credentials, accept_compliance, timeouts; the label `name` does not count). With
//   Reuse::per_call every call gets a new session instead: a new client and a new probe per
//   operation, as before sessions existed (the host_session benchmark compares the two).
// - HostSession::capabilities() runs AdminClient::probe_capabilities() once and keeps the answer
//   when the host judged the admin credentials (admin auth ok, or refused: 401/403/423). An
//   unreachable host or an answer that says nothing about the credentials (a 5xx, a page) is not
//   kept: the next caller probes again.
// - Expired logins are the client's business: it logs in again once on 401 TOKEN_EXPIRED /
//   INVALID_TOKEN / TOKEN_REVOKED, and parallel callers share that one re-login.
// - Thread-safe: cells on parallel threads share one HostSessions. Concurrent first calls to
//   capabilities() wait for the one probe.
// - Borrows `http` and `secrets`; both must outlive the HostSessions. A session (and its
//   client) lives as long as the HostSessions that made it.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/packs/upstream_override.hpp"
#include "probes/http/transport.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "probes/sub2api/host_capabilities.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::engine {

struct HostTarget {
    std::string name;  // a label for the store; defaults to the URL
    std::string url;   // http://host:port (no trailing path)
    probes::sub2api::AdminCredentials admin;
    bool accept_compliance = false;
    probes::Timeouts timeouts{};
    // This host's own upstream per provider (a stub host's stub upstreams): preview and import
    // use it in place of the pack's upstream_base_url and key_source. Empty for a real host.
    UpstreamOverrides upstreams{};
};

class HostSession {
  public:
    HostSession(probes::HttpTransport& http, util::SecretRegistry& secrets, const HostTarget& target);

    [[nodiscard]] probes::sub2api::AdminClient& admin() { return m_admin; }
    [[nodiscard]] util::Result<probes::sub2api::HostCapabilities> capabilities();

  private:
    probes::sub2api::AdminClient m_admin;
    std::mutex m_probe_mutex;  // one probe at a time; guards m_capabilities
    std::optional<probes::sub2api::HostCapabilities> m_capabilities;
};

class HostSessions {
  public:
    enum class Reuse { per_host, per_call };

    HostSessions(probes::HttpTransport& http, util::SecretRegistry& secrets, Reuse reuse = Reuse::per_host);

    [[nodiscard]] HostSession& session(const HostTarget& target);

  private:
    struct Entry {
        HostTarget target;  // URL trimmed
        std::unique_ptr<HostSession> session;
    };

    probes::HttpTransport& m_http;
    util::SecretRegistry& m_secrets;
    Reuse m_reuse;
    std::mutex m_mutex;  // guards m_entries
    std::vector<Entry> m_entries;
};

}  // namespace crm::engine
