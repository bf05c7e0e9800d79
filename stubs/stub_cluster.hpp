#pragma once
// The stub sub2api host and its stub upstreams, running in-process on 127.0.0.1.
//
// StubCluster::start() binds every listener (ephemeral ports unless told otherwise), seeds the
// host (one admin user, an already generated admin API key, residue when the profile asks),
// starts a small thread pool and returns once every socket accepts connections. The host follows
// docs/STUB-HOST.md (a faithful subset of sub2api v0.1.179); upstreams speak the OpenAI-compatible
// dialect of their style with provider-shaped errors.
//
// Profiles: a FaultProfile has a host part (applied by the stub host) and an upstream part
// (applied by a stub upstream). `StubOptions::host_profile` applies both parts run-wide.
// `StubUpstreamSpec::profile` applies the upstream part to that upstream only, and its host part
// only to host accounts whose base_url points at that upstream (see docs/STUB-HOST.md).
//
// Thread-safety: endpoints() and the diagnostic hooks may be called from any thread while the
// cluster runs. stop() is idempotent and joins every thread; the destructor calls it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stubs/fault_profile.hpp"
#include "util/error.hpp"

namespace crm::stubs {

struct StubUpstreamSpec {
    std::string name;                 // e.g. "deepseek"; names the upstream in StubEndpoints maps
    std::string style;                // deepseek | minimax | openai
    std::string profile = "healthy";  // profile name or file path (upstream-side parts)
};

struct StubOptions {
    // Empty => three healthy upstreams: {deepseek, deepseek}, {minimax, minimax}, {kimi, openai}.
    std::vector<StubUpstreamSpec> upstreams;
    std::string host_profile = "healthy";  // profile name or file path, applied run-wide
    std::uint16_t host_port = 0;           // 0 = ephemeral
    bool fork_admin_key_route = false;     // enables POST /api/v1/admin/users/:id/api-keys
    unsigned threads = 2;
    std::size_t max_body_bytes = 1024 * 1024;  // request bodies above this get 413
};

struct StubEndpoints {
    std::string host_url;       // http://127.0.0.1:PORT
    std::string admin_api_key;  // admin-<64 hex>, already generated
    std::string admin_email, admin_password;
    std::map<std::string, std::string> upstream_urls;  // name -> base URL as a pack would use it
                                                       // (deepseek style: no /v1; others: .../v1)
    std::map<std::string, std::string> upstream_keys;  // name -> the provider key it accepts
};

// Per-route request counters (diagnostics and benchmarks).
struct StubCounters {
    std::map<std::string, std::uint64_t> host_routes;     // "POST /v1/chat/completions" -> n
    std::map<std::string, std::uint64_t> upstream_calls;  // upstream name -> n chat calls
    std::uint64_t admin_logins = 0;                       // POST /api/v1/auth/login answered 200 for an admin user
};

class StubCluster {
  public:
    // Fails with invalid_input for an unknown style/profile, io when a port cannot be bound.
    [[nodiscard]] static util::Result<std::unique_ptr<StubCluster>> start(StubOptions options);

    [[nodiscard]] const StubEndpoints& endpoints() const;
    void stop();  // idempotent; joins threads; also called by the destructor
    ~StubCluster();

    StubCluster(const StubCluster&) = delete;
    StubCluster& operator=(const StubCluster&) = delete;

    // Diagnostics.
    [[nodiscard]] StubCounters counters() const;
    // A JSON snapshot of host resources (groups, accounts with state, channels, users,
    // subscriptions, keys with keys masked, usage records). For tests and `stubhost --dump`.
    [[nodiscard]] std::string snapshot_json() const;
    // Ends every open keep-alive stall stream now (tests use it to finish quickly).
    void release_stalls();
    // Replaces the host's route faults (profile host.routes_missing / proxy_errors) while it
    // runs: tests make one route fail from a given pipeline step on.
    void set_route_faults(std::vector<std::string> routes_missing, std::map<std::string, int> proxy_errors);

    struct Impl;

  private:
    explicit StubCluster(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Resolve a profile by name (embedded copy of stubs/profiles/<name>.json) or by file path.
[[nodiscard]] util::Result<FaultProfile> load_profile(std::string_view name_or_path);
[[nodiscard]] std::vector<std::string> profile_names();

}  // namespace crm::stubs
