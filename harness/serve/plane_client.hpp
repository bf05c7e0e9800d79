#pragma once
// A client of the control plane's HTTP API (`crm-accept serve`, docs/CONTROL-PLANE.md): the calls a
// run makes when its scenario says "engine": {"via": "serve"}. Every /api call carries the
// Bearer token; /healthz does not.
//
// Contract:
// - the typed calls return the engine's own outcome values, read back from the answer with
//   outcomes_json.hpp (AccessOutcome::api_key stays empty: the API never returns it);
// - an answer in the API's error shape {"error":{"code","message"}} is a util::Error whose
//   remote_code is the API's code, whose message is the API's message and whose http_status is
//   the answer's status; its ErrorCode follows the API's code (invalid_input, not_found,
//   conflict, missing_secret, host_unreachable -> connect_failed, host_timeout -> timeout,
//   unauthorized -> host_rejected, shutting_down -> interrupted, anything else -> http_status);
// - an answer that is not the API (an HTML proxy page, a text 404, JSON of another shape) is a
//   protocol error quoting the answer's status and first line; no answer at all is the
//   transport's error (connect_failed, timeout, ...) with the control plane's URL in the message;
// - each call is bounded by PlaneClientOptions::call_timeout (the server runs long operations
//   inside the request, bounded by its --request-timeout).
// Thread-safe when the transport is (the curl transport is): it holds no mutable state.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/outcomes.hpp"
#include "probes/http/transport.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::serve {

namespace json = boost::json;

struct PlaneClientOptions {
    std::string base_url;  // http://127.0.0.1:PORT (a trailing '/' is ignored)
    std::string token;     // a secret; the caller registers it
    std::chrono::milliseconds connect_timeout{3000};
    // Longer than serve's default --request-timeout (300 s), so a slow operation is answered by the
    // server's 504 request_timeout (the operation goes on and can be read back), not cut here.
    std::chrono::milliseconds call_timeout{std::chrono::seconds(330)};
};

// POST /api/hosts. Exactly one of admin_key / admin_key_env / (admin_email + admin_password_env).
struct HostRegistration {
    std::string name;
    std::string url;
    std::string admin_key;  // literal: the server keeps it in its 0600 state store only
    std::string admin_key_env;
    std::string admin_email;
    std::string admin_password_env;  // a variable of the server's environment
    bool accept_compliance = false;
};

// The host as the control plane knows it; `id` is sent back as given (string or number).
struct PlaneHost {
    json::value id;
    std::string url;
    std::string version;
};

struct ImportCall {
    json::value host_id;
    std::string pack_id;  // "" = let the server resolve the provider name
    std::vector<engine::AccessMode> modes;
    std::string name_prefix;
    std::string owner_run;  // the acceptance run's token: recover rolls the batch back if the run dies
};

struct AccessCall {
    json::value host_id;
    std::int64_t batch_id = 0;
    engine::AccessMode mode = engine::AccessMode::self_service;
    std::string user_email;         // "" = the engine creates its probe user
    std::string user_password_env;  // with user_email: a variable of the server's environment
    bool stream_check = false;
    bool account_test = true;
};

class PlaneClient {
  public:
    PlaneClient(probes::HttpTransport& http, PlaneClientOptions options);

    // GET /healthz: the body when the answer is 200 with a JSON object.
    [[nodiscard]] util::Result<json::object> health();
    [[nodiscard]] util::Result<PlaneHost> create_host(const HostRegistration& host);
    // POST /api/packs; a pack already installed is not an error.
    [[nodiscard]] util::Result<void> install_pack(const std::string& pack_id);
    [[nodiscard]] util::Result<engine::ImportOutcome> import_provider(const std::string& provider,
                                                                      const ImportCall& call);
    [[nodiscard]] util::Result<engine::AccessOutcome> close_access(const std::string& provider, const AccessCall& call);
    [[nodiscard]] util::Result<engine::ReconcileOutcome> reconcile_provider(const std::string& provider,
                                                                            std::int64_t batch_id,
                                                                            const json::value& host_id);
    [[nodiscard]] util::Result<engine::RollbackOutcome> rollback_batch(std::int64_t batch_id);
    [[nodiscard]] util::Result<engine::BatchReport> get_import_batch(std::int64_t batch_id);

    [[nodiscard]] const std::string& base_url() const { return m_options.base_url; }

  private:
    // One call: the JSON answer of a 2xx, or the error the answer (or its absence) means.
    [[nodiscard]] util::Result<json::value> call(std::string_view method, const std::string& path,
                                                 const std::optional<json::value>& body, bool authorized = true);

    probes::HttpTransport& m_http;
    PlaneClientOptions m_options;
};

// The error an answer of status >= 300 means (see the contract above). `what` names the call
// ("POST /api/packs") for the context.
[[nodiscard]] util::Error plane_error(int status, std::string_view body, std::string_view what);

}  // namespace crm::harness::serve
