#pragma once
// The sub2api admin API client (sub2api v0.1.179 + the youxuanxue fork).
//
// Contract:
// - Envelope calls (get/post/put/del/list_all and every typed helper) return the unwrapped
//   `data` of {code:0,...}; any other answer is a util::Error built by parse_envelope
//   (envelope.hpp): http_status set, one-line message "<METHOD> <path> -> <status> <REASON>:
//   <message>", code host_rejected (401/403 on admin routes, 423), not_found (404), conflict
//   (409), http_status (other), protocol (non-JSON / not an envelope). Transport errors
//   (connect_failed, timeout, ...) pass through unchanged.
// - Admin auth: `x-api-key` when credentials.api_key is set; otherwise one
//   POST /api/v1/auth/login with email/password and `Authorization: Bearer <jwt>` afterwards
//   (re-login once when the host answers 401 TOKEN_EXPIRED / INVALID_TOKEN / TOKEN_REVOKED;
//   parallel calls refused with the same token share one re-login).
// - Compliance gate: on 423 ADMIN_COMPLIANCE_ACK_REQUIRED, with accept_compliance the client
//   reads GET /api/v1/admin/compliance, posts its ack_phrase_en (language "en") to
//   /compliance/accept and retries the call once; without it the call fails host_rejected
//   "... compliance gate not accepted (set accept_compliance to allow)".
// - Secrets: the admin key and passwords are registered in the SecretRegistry at construction;
//   every outgoing body is scanned for secret fields (api_key, password, key, custom_key,
//   access_token, refresh_token) and those values are registered *before* the request is
//   sent; JWTs and user API keys in answers are registered before they are returned. Error
//   messages are scrubbed with the registry.
// - Creates carry an `Idempotency-Key` (random unless RequestOptions provides one, so a caller
//   that journals the key can replay a create after a crash).
// - Account updates that touch credentials read the account first and send the full non-secret
//   credentials map (the host replaces non-sensitive keys wholesale on PUT).
// - Every HTTP exchange is logged as {method, path, status, elapsed_ms} (no bodies, no
//   headers) until take_exchanges() drains it; benchmarks count host calls with it.
//
// Thread-safe: one client may be shared by parallel cells; the HttpTransport must be too.
// The client borrows `http` and `secrets`; both must outlive it.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/http/transport.hpp"
#include "probes/sub2api/dto.hpp"
#include "probes/sub2api/host_capabilities.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::probes::sub2api {

struct AdminCredentials {
    std::string api_key;  // preferred: "admin-<64 hex>"
    std::string email;    // else: admin login
    std::string password;
    friend bool operator==(const AdminCredentials&, const AdminCredentials&) = default;
};

struct AdminClientOptions {
    std::string base_url;  // "http://127.0.0.1:8080" (a trailing '/' is ignored)
    AdminCredentials credentials;
    bool accept_compliance = false;
    Timeouts timeouts{};
    int page_size = 100;           // list_all page size, clamped to [1, 1000]
    bool record_exchanges = true;  // keep the {method, path, status, ms} log (take_exchanges)
};

using Query = std::vector<std::pair<std::string, std::string>>;

struct RequestOptions {
    std::string idempotency_key;  // empty => a random key on creates
};

struct Exchange {
    std::string method;
    std::string path;  // with query string, never with credentials
    int status = 0;    // 0 when the transport failed
    double elapsed_ms = 0;
    friend bool operator==(const Exchange&, const Exchange&) = default;
};

enum class AuthMode { admin, none };

class AdminClient {
  public:
    AdminClient(HttpTransport& http, AdminClientOptions options, util::SecretRegistry& secrets);

    // --- raw envelope calls -------------------------------------------------------------
    [[nodiscard]] util::Result<json::value> get(std::string_view path, const Query& query = {});
    [[nodiscard]] util::Result<json::value> post(std::string_view path, const json::value& body,
                                                 const RequestOptions& options = {});
    [[nodiscard]] util::Result<json::value> put(std::string_view path, const json::value& body);
    [[nodiscard]] util::Result<json::value> del(std::string_view path);
    // Walks every page (page=1..pages) and returns all items; a plain-array `data` is returned
    // as is.
    [[nodiscard]] util::Result<std::vector<json::value>> list_all(std::string_view path, const Query& query = {});
    // One HTTP exchange without envelope parsing (capability probes, /health). With
    // AuthMode::admin the admin credentials are attached (logging in first when needed).
    [[nodiscard]] util::Result<HttpResponse> raw(std::string_view method, std::string_view path,
                                                 const std::optional<json::value>& body, AuthMode auth);

    // --- host identity ------------------------------------------------------------------
    [[nodiscard]] util::Result<json::value> health();  // GET /health (no envelope)
    [[nodiscard]] util::Result<PublicSettings> public_settings();
    [[nodiscard]] util::Result<std::string> system_version();
    [[nodiscard]] util::Result<json::value> compliance_status();  // data of GET .../compliance
    [[nodiscard]] util::Result<void> accept_compliance();
    [[nodiscard]] ComplianceState compliance_state() const;  // what this client has observed

    // --- groups -------------------------------------------------------------------------
    [[nodiscard]] util::Result<Group> create_group(const GroupCreate& group, const RequestOptions& options = {});
    [[nodiscard]] util::Result<Group> get_group(std::int64_t id);
    [[nodiscard]] util::Result<Group> update_group(std::int64_t id, const json::object& patch);
    [[nodiscard]] util::Result<void> delete_group(std::int64_t id);
    [[nodiscard]] util::Result<std::vector<Group>> list_groups(const Query& query = {});

    // --- accounts -----------------------------------------------------------------------
    [[nodiscard]] util::Result<Account> create_account(const AccountCreate& account,
                                                       const RequestOptions& options = {});
    [[nodiscard]] util::Result<Account> get_account(std::int64_t id);
    // When `patch` has "credentials", the account is read first and the stored non-secret
    // credentials are merged under the patch's keys before the PUT.
    [[nodiscard]] util::Result<Account> update_account(std::int64_t id, json::object patch);
    [[nodiscard]] util::Result<void> delete_account(std::int64_t id);
    [[nodiscard]] util::Result<std::vector<Account>> list_accounts(const AccountFilter& filter = {});

    // --- channels (absent on pre-2026 hosts: not_found / protocol 404) --------------------
    [[nodiscard]] util::Result<Channel> create_channel(const ChannelCreate& channel,
                                                       const RequestOptions& options = {});
    [[nodiscard]] util::Result<Channel> get_channel(std::int64_t id);
    [[nodiscard]] util::Result<Channel> update_channel(std::int64_t id, const json::object& patch);
    [[nodiscard]] util::Result<void> delete_channel(std::int64_t id);
    [[nodiscard]] util::Result<std::vector<Channel>> list_channels(const Query& query = {});

    // --- users --------------------------------------------------------------------------
    [[nodiscard]] util::Result<User> create_user(const UserCreate& user, const RequestOptions& options = {});
    [[nodiscard]] util::Result<User> get_user(std::int64_t id);
    [[nodiscard]] util::Result<User> update_user(std::int64_t id, const json::object& patch);
    [[nodiscard]] util::Result<void> delete_user(std::int64_t id);
    [[nodiscard]] util::Result<std::vector<User>> list_users(const Query& query = {});
    // POST /users/:id/balance {balance, operation: set|add|subtract, notes}; amount must be > 0.
    [[nodiscard]] util::Result<User> update_balance(std::int64_t user_id, double amount, std::string_view operation,
                                                    std::string_view notes = {}, const RequestOptions& options = {});

    // --- subscriptions ------------------------------------------------------------------
    [[nodiscard]] util::Result<Subscription> assign_subscription(std::int64_t user_id, std::int64_t group_id,
                                                                 int validity_days, std::string_view notes = {},
                                                                 const RequestOptions& options = {});
    [[nodiscard]] util::Result<Subscription> get_subscription(std::int64_t id);
    [[nodiscard]] util::Result<std::vector<Subscription>> list_subscriptions(const SubscriptionFilter& filter = {});
    [[nodiscard]] util::Result<void> revoke_subscription(std::int64_t id);  // POST /:id/revoke
    [[nodiscard]] util::Result<void> delete_subscription(std::int64_t id);  // DELETE /:id

    // --- API keys -----------------------------------------------------------------------
    // Fork route POST /api/v1/admin/users/:id/api-keys (HostCapabilities::key_route tells).
    [[nodiscard]] util::Result<ApiKey> create_key_admin(std::int64_t user_id, std::string_view name,
                                                        std::optional<std::int64_t> group_id,
                                                        const RequestOptions& options = {});
    // GET /api/v1/admin/users/:id/api-keys (every page; keys are registered as secrets).
    [[nodiscard]] util::Result<std::vector<ApiKey>> list_user_keys(std::int64_t user_id);
    // PUT /api/v1/admin/api-keys/:id {group_id} (0 unbinds).
    [[nodiscard]] util::Result<json::value> bind_key_group(std::int64_t key_id, std::int64_t group_id);
    // Ordinary-user flow: POST /api/v1/auth/login, then POST /api/v1/keys with the user JWT.
    [[nodiscard]] util::Result<UserSession> login_user(std::string_view email, std::string_view password);
    [[nodiscard]] util::Result<ApiKey> create_key_as_user(std::string_view user_token, std::string_view name,
                                                          std::optional<std::int64_t> group_id,
                                                          const RequestOptions& options = {});
    [[nodiscard]] util::Result<void> delete_key_as_user(std::string_view user_token, std::int64_t key_id);

    // --- capabilities (artifact 02) -----------------------------------------------------
    [[nodiscard]] util::Result<HostCapabilities> probe_capabilities();

    [[nodiscard]] std::vector<Exchange> take_exchanges();
    [[nodiscard]] const std::string& base_url() const { return m_base_url; }
    [[nodiscard]] bool uses_admin_key() const { return !m_options.credentials.api_key.empty(); }

  private:
    struct Call {
        std::string method;
        std::string path;
        Query query;
        std::optional<json::value> body;
        std::string idempotency_key;
        AuthMode auth = AuthMode::admin;
        std::string bearer;  // user JWT for user-route calls
    };

    util::Result<json::value> call(const Call& c);
    // `sent_jwt` (optional) receives the admin JWT the request carried ("" for none).
    util::Result<json::value> call_once(const Call& c, std::string* sent_jwt = nullptr);
    util::Result<HttpResponse> send(const Call& c, const std::string& target, std::string* sent_jwt = nullptr);
    util::Result<std::string> admin_token();  // JWT, logging in once when needed
    util::Result<UserSession> login(std::string_view email, std::string_view password, bool as_admin);
    util::Result<void> accept_compliance_gate();
    void register_secrets_in(const json::value& v, bool outgoing);
    util::Error scrubbed(util::Error e) const;
    std::string create_key(const RequestOptions& options) const;

    HttpTransport& m_http;
    AdminClientOptions m_options;
    util::SecretRegistry& m_secrets;
    std::string m_base_url;

    mutable std::mutex m_mutex;  // guards the members below
    std::string m_jwt;
    ComplianceState m_compliance = ComplianceState::unknown;
    std::vector<Exchange> m_exchanges;
    std::mutex m_login_mutex;   // serialises admin (re-)login
    std::mutex m_accept_mutex;  // serialises the compliance accept flow
};

}  // namespace crm::probes::sub2api
