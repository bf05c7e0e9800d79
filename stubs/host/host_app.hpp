#pragma once
// The stub sub2api host: every route of docs/STUB-HOST.md over one in-memory state guarded by
// one mutex. handle() is called concurrently by the HTTP server's connection threads. Calls to
// upstreams (account test, gateway forwarding) are made without holding the state lock.
//
// Profiles: `config.profile` is run-wide. Each account whose base_url starts with a stub
// upstream's URL also gets the host part of that upstream's profile (see effective_faults()).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "stubs/fault_profile.hpp"
#include "stubs/http/http_client.hpp"
#include "stubs/http/http_types.hpp"
#include "util/json.hpp"

namespace crm::stubs {

namespace json = util::json;

struct HostUpstreamInfo {
    std::string name;
    std::string url_prefix;  // http://127.0.0.1:PORT
    FaultProfile profile;
};

struct HostConfig {
    FaultProfile profile;
    std::vector<HostUpstreamInfo> upstreams;
    bool fork_admin_key_route = false;
    std::string admin_email = "admin@sub2api.local";
    std::string admin_password;
    std::string admin_key;  // pre-generated admin-<64 hex>
    std::string jwt_secret;
};

class HostApp {
  public:
    explicit HostApp(HostConfig config);
    [[nodiscard]] Response handle(const Request& request);
    [[nodiscard]] std::string snapshot_json() const;
    [[nodiscard]] std::map<std::string, std::uint64_t> route_counts() const;
    // Successful logins of admin users (POST /api/v1/auth/login shares its route with user logins).
    [[nodiscard]] std::uint64_t admin_logins() const;
    // Replaces the host-wide route faults (FaultProfile host.routes_missing / proxy_errors) while
    // the host runs, so a test can make a route fail from one pipeline step on.
    void set_route_faults(std::vector<std::string> routes_missing, std::map<std::string, int> proxy_errors);
    // Aborts in-flight upstream calls (gateway, account test) so the servers can stop promptly.
    void stop() { m_stopping.store(true); }

    // Account scheduling state helpers (pure over one account object, `now` in unix seconds).
    [[nodiscard]] static bool schedulable_now(const json::object& account, std::int64_t now);

  private:
    using Query = std::map<std::string, std::string>;
    struct Ctx {
        const Request& req;
        std::vector<std::string> seg;  // path segments after /api/v1/admin or full path
        std::int64_t user_id = 0;      // authenticated admin / user
    };

    // host_app.cpp: dispatch, auth, public routes, idempotency.
    Response dispatch(const Request& req);
    std::optional<Response> admin_auth(const Request& req, std::int64_t& admin_id);
    std::optional<Response> user_auth(const Request& req, std::int64_t& user_id);
    Response public_route(const Request& req, bool& matched);
    Response admin_route(Ctx& ctx);
    Response user_route(Ctx& ctx);
    Response with_idempotency(const Request& req, const std::string& scope, const std::function<Response()>& fn);
    Response login(const Request& req);
    Response compliance(Ctx& ctx);
    Response admin_key_settings(Ctx& ctx);

    // host_resources.cpp
    Response groups(Ctx& ctx);
    Response channels(Ctx& ctx);
    Response users(Ctx& ctx);
    Response subscriptions(Ctx& ctx);
    Response usage(Ctx& ctx);
    Response user_keys(Ctx& ctx);
    Response create_key(std::int64_t user_id, const json::object& body, bool admin_route);
    Response assign_subscription(const json::object& body, std::int64_t admin_id);
    bool user_may_bind(const json::object& user, const json::object& group, std::int64_t now) const;
    bool active_subscription(std::int64_t user_id, std::int64_t group_id, std::int64_t now) const;
    // A group's view carries three account counts. Listings count every group's accounts in one
    // pass over the accounts (counts_by_group) instead of one pass per group; a single view
    // counts its own group.
    struct GroupCounts {
        std::int64_t accounts = 0, active = 0, rate_limited = 0;
    };
    [[nodiscard]] std::unordered_map<std::int64_t, GroupCounts> counts_by_group(std::int64_t now) const;
    json::value group_view(const json::object& g) const;
    json::value group_view(const json::object& g, const GroupCounts& counts) const;
    json::value user_view(const json::object& u) const;
    json::value subscription_view(const json::object& s, std::int64_t now) const;
    void seed_residue();

    // host_accounts.cpp
    Response accounts(Ctx& ctx);
    Response account_test(std::int64_t id, const Request& req);
    json::value account_view(const json::object& a) const;
    std::optional<Response> validate_account_body(const json::object& body, bool create);

  public:
    // Penalty bookkeeping after an upstream failure / success (host_accounts.cpp). Locks.
    void penalize(std::int64_t account_id, int status, const std::string& body, const HeaderList& headers,
                  bool from_test);
    void recover_after_test(std::int64_t account_id);
    [[nodiscard]] HostFaults effective_faults(const json::object& account) const;

  private:
    // host_gateway.cpp
    Response gateway(const Request& req, bool& matched);
    struct KeyContext;
    std::optional<Response> gateway_auth(const Request& req, KeyContext& out);
    bool x_api_key_only_for(const std::string& key) const;  // locks
    Response gateway_models(const KeyContext& kc);
    Response gateway_chat(const Request& req, const KeyContext& kc);
    void record_usage(const KeyContext& kc, std::int64_t account_id, const std::string& model,
                      std::int64_t prompt_tokens, std::int64_t completion_tokens, bool stream);

    // Holds back the 2xx answer to an admin request the profile stalls (admin_stall_*): the host
    // did the work, its answer hangs. Returns at once for any other request, early on stop.
    void stall_admin_answer(const Request& req);
    // Waits the profile's host.latency_ms before a request is routed (early on stop).
    void delay_answer();

    // Generic helpers.
    std::int64_t next_id(const std::string& kind);
    static json::value strip_internal(const json::object& o);

    // Weak ETag source for account listings: bumped (under m_mutex) before and after every
    // request that may change state and by every mutation made outside a request (a streamed
    // chat's usage), so a tag read during a listing never matches state changed after it.
    void bump_version() { ++m_version; }

    HostConfig m_config;
    std::atomic<bool> m_stopping{false};
    std::uint64_t m_version = 0;  // guarded by m_mutex
    // Keep-alive connections to the upstreams, shared by the gateway and the account test.
    ConnectionPool m_upstream_pool;
    std::atomic<int> m_admin_stalls{0};
    mutable std::mutex m_mutex;
    std::map<std::string, std::int64_t> m_ids;
    std::map<std::int64_t, json::object> m_users, m_groups, m_accounts, m_channels, m_subscriptions, m_keys;
    std::vector<json::object> m_usage;
    std::string m_admin_key;
    std::set<std::int64_t> m_compliance_acked;
    struct IdemEntry {
        std::string body_hash;
        Response response;
    };
    std::map<std::string, IdemEntry> m_idempotency;
    std::map<std::string, std::uint64_t> m_route_counts;
    std::uint64_t m_admin_logins = 0;
    std::vector<std::string> m_routes_missing;  // guarded by m_mutex
    std::map<std::string, int> m_proxy_errors;  // guarded by m_mutex
};

// Response builders shared by the host's route files.
namespace hostwire {
[[nodiscard]] Response ok(const json::value& data);
[[nodiscard]] Response error(int status, std::string_view message, std::string_view reason = {},
                             const json::object* metadata = nullptr);
[[nodiscard]] Response middleware(int status, std::string_view code, std::string_view message);
[[nodiscard]] Response openai(int status, std::string_view type, std::string_view message);
[[nodiscard]] Response bad_request(std::string_view detail);  // 400 "Invalid request: <detail>"
[[nodiscard]] Response not_found(std::string_view what);      // 404 "<what> not found"
// Gin's router answer for a path (or a method on a path) with no route: 404 text/plain
// "404 page not found". sub2api registers no NoRoute handler, so this is every unrouted path.
[[nodiscard]] Response no_route();
// nginx's HTML error page for 502 / 503 / 504, as a reverse proxy in front of the host sends it.
[[nodiscard]] Response proxy_page(int status);
// Parses a JSON object body; an empty body is "{}" only when `allow_empty`.
[[nodiscard]] std::optional<json::object> parse_object(const Request& req, Response& error, bool allow_empty = false);
[[nodiscard]] std::optional<std::int64_t> parse_id(const std::string& text);
}  // namespace hostwire

}  // namespace crm::stubs
