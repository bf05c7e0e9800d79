#pragma once
// Idempotency-Key for the control plane's creating POSTs (import, access, install pack, create
// host): a client that did not see the answer retries with the same key and gets that answer
// instead of a second import.
//
// Contract (docs/CONTROL-PLANE.md):
// - no Idempotency-Key header: `run` runs;
// - a key is 1..255 visible ASCII characters, else 400 invalid_input naming the header;
// - the request's fingerprint is its method, path and body bytes; the key's record lives in the
//   state store (survives a restart) for 24 hours;
// - same key, same fingerprint, answered before: the stored status and body again, with header
//   `idempotent-replayed: true`, and `run` does not run;
// - same key, another fingerprint: 409 conflict; same key while the first request still runs:
//   409 conflict at once (the second does not wait: the first may run for minutes);
// - `run` ending in an ApiError leaves no record (nothing was done: a retry is safe); any
//   ApiResponse, whatever its status, is stored and replayed.
#include <chrono>
#include <cstdint>
#include <functional>

#include "engine/store/idempotency_records.hpp"
#include "harness/serve/api_types.hpp"

namespace crm::harness::serve {

inline constexpr std::chrono::seconds k_idempotency_ttl{std::chrono::hours(24)};

[[nodiscard]] ApiResult run_idempotent(engine::IdempotencyRecords& records, const ApiRequest& request,
                                       const std::function<ApiResult()>& run, std::int64_t now_unix);

// The same, at the system clock's now.
[[nodiscard]] ApiResult run_idempotent(engine::IdempotencyRecords& records, const ApiRequest& request,
                                       const std::function<ApiResult()>& run);

}  // namespace crm::harness::serve
