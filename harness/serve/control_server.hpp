#pragma once
// The control plane's HTTP front: authentication, routing, the error shape, request ids,
// /healthz, /metrics, request metrics and one log line per request, over an HttpListener.
// `crm-accept serve` is run_server() with the ControlPlane's routes; tests start a
// ControlServer with their own small table.
//
// Contract (docs/CONTROL-PLANE.md):
// - GET /healthz is open: 200 {"status":"ok", ...health()} when health()["store"] == "ok", else
//   503 {"status":"degraded", ...health()};
// - GET /metrics is the Prometheus text (PlaneMetrics::render), open when
//   options.metrics_public, else behind the token like everything else;
// - every other path needs "Authorization: Bearer <token>" before it is even routed (no route
//   enumeration without the token): 401 unauthorized with "www-authenticate: Bearer";
// - then 404 route_not_found, 405 method_not_allowed (with "allow"), 413 payload_too_large
//   (body above options.max_body_bytes), 408 request_timeout (client too slow sending),
//   504 request_timeout (the handler ran past options.request_timeout; it goes on, its result is
//   dropped, and it logs its own line when it ends), 500 internal (a handler threw); all in the
//   shape {"error":{"code","message"}};
// - every response carries x-request-id; bodies and log lines are scrubbed through the
//   SecretRegistry; the handler never sees the Authorization header;
// - per request: crm_http_requests_total / _duration_seconds with the route *pattern* (or
//   "unmatched"), in-flight gauge, one log line (request_id, method, route, path, status,
//   duration_ms, bytes).
// The server borrows the HealthSource, PlaneMetrics, RequestLog and SecretRegistry: they must
// outlive it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/serve/api_types.hpp"
#include "harness/serve/bearer_auth.hpp"
#include "harness/serve/plane_events.hpp"
#include "harness/serve/plane_metrics.hpp"
#include "harness/serve/request_log.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::harness::serve {

struct ServeOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;
    bool metrics_public = false;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds read_timeout{30'000};      // a client sends a request / takes a response
    std::chrono::milliseconds request_timeout{300'000};  // a handler's run (504 after it)
    std::chrono::milliseconds shutdown_grace{10'000};
    std::size_t max_connections = 256;               // ListenerOptions::max_connections
    std::optional<std::filesystem::path> port_file;  // run_server writes the bound port here
};

// "127.0.0.1:8080", "[::1]:0", or ":8080" for 127.0.0.1:8080 (loopback unless an address is
// named). An IP address, not a name (what is bound must be unambiguous). invalid_input naming
// the value otherwise.
[[nodiscard]] util::Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text);

// What the server needs that outlives it.
struct ServerParts {
    HealthSource& health;
    PlaneMetrics& metrics;
    RequestLog& log;
    const util::SecretRegistry& secrets;
};

class ControlServer {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<ControlServer>> start(ServeOptions options,
                                                                            std::vector<Route> routes, AdminToken token,
                                                                            ServerParts parts);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    [[nodiscard]] std::uint16_t port() const;
    // (method, pattern) of every route served, /healthz and /metrics included.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> registered() const;
    // HttpListener::drain with options.shutdown_grace. Idempotent.
    void drain();

    struct Impl;

  private:
    explicit ControlServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Starts the server, writes options.port_file (atomically) once listening, logs a startup line,
// waits until `stop` is set, logs, drains (stop accepting, finish in-flight requests up to the
// grace) and logs a shutdown line. Returns when every connection thread is joined; the caller
// then stops what the routes use (ControlPlane::stop). Fails (nothing left running) when the
// address cannot be bound or the port file cannot be written.
// `before_drain` runs once `stop` is seen, before the drain: serve stops the control plane there,
// so a request still being read during the grace is answered 503 shutting_down instead of
// starting an engine operation.
[[nodiscard]] util::Result<void> run_server(const ServeOptions& options, std::vector<Route> routes, AdminToken token,
                                            ServerParts parts, const std::atomic<bool>& stop,
                                            const std::function<void()>& before_drain = {});

}  // namespace crm::harness::serve
