#pragma once
// What every control-plane handler and the reconcile worker share: the one state store, the
// packs loaded from --pack-dir, the host sessions, the stored host credentials and idempotency
// records, and the events sink. Owned by ControlPlane; handlers borrow it.
//
// Contract:
// - thread-safe: handlers run on many connection threads at once and the worker on its own.
//   The StateStore and HostSessions are thread-safe; the catalog is read-only after open; an
//   Engine is not thread-safe, so every operation gets its own (engine()) over the shared parts;
// - target() resolves a stored host into the engine's HostTarget, reading *_env variables from
//   the server's environment at each use and registering every secret it hands out;
// - api_error() is the one mapping from util::Error to the API's error codes and statuses, with
//   the message scrubbed of registered secrets.
#include <atomic>
#include <cstdint>

#include "engine/engine.hpp"
#include "engine/store/host_credentials.hpp"
#include "engine/store/idempotency_records.hpp"
#include "harness/serve/api_body.hpp"
#include "harness/serve/api_types.hpp"
#include "harness/serve/plane_events.hpp"

namespace crm::harness::serve {

struct ApiContext {
    ApiContext(engine::StateStore store_, engine::PackCatalog catalog_, probes::HttpTransport& http_,
               util::SecretRegistry& secrets_, util::EnvLookup env_, PlaneEvents& events_);
    ApiContext(const ApiContext&) = delete;
    ApiContext& operator=(const ApiContext&) = delete;

    engine::StateStore store;
    const engine::PackCatalog catalog;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    util::EnvLookup env;
    PlaneEvents& events;
    engine::HostSessions sessions;
    engine::HostCredentials credentials;
    engine::IdempotencyRecords idempotency;
    std::atomic<bool> stopping{false};

    [[nodiscard]] engine::Engine engine();
    // not_found for an unknown host; missing_secret when the host has no stored credentials or
    // a variable they name is unset.
    [[nodiscard]] util::Result<engine::HostTarget> target(std::int64_t host_id);
    [[nodiscard]] ApiError api_error(const util::Error& e) const;
    // 503 shutting_down once stop() began: no new engine operation starts.
    [[nodiscard]] Checked<void> accepting() const;
};

// The HTTP status and API code for an engine or store error (docs/CONTROL-PLANE.md).
[[nodiscard]] ApiError map_error(const util::Error& e);

// A response with no extra headers.
[[nodiscard]] inline ApiResult ok(int status, json::value body) { return ApiResponse{status, std::move(body), {}}; }

}  // namespace crm::harness::serve
