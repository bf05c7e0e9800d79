#include "harness/serve/idempotency.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/json.hpp"
#include "util/sha256.hpp"

namespace crm::harness::serve {

namespace {

bool valid_key(const std::string& key) {
    return !key.empty() && key.size() <= 255 &&
           std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

ApiError store_failed(const util::Error& e) { return ApiError{500, "internal", "idempotency record: " + e.describe()}; }

}  // namespace

ApiResult run_idempotent(engine::IdempotencyRecords& records, const ApiRequest& request,
                         const std::function<ApiResult()>& run, std::int64_t now_unix) {
    auto key = request.header("idempotency-key");
    if (!key) return run();
    if (!valid_key(*key)) {
        return std::unexpected(
            ApiError{400, "invalid_input", "Idempotency-Key: must be 1 to 255 visible ASCII characters"});
    }
    const std::string fingerprint = util::sha256_hex(request.method + " " + request.path + "\n" + request.body);
    auto claim = records.begin(*key, fingerprint, now_unix, k_idempotency_ttl);
    if (!claim) return std::unexpected(store_failed(claim.error()));
    using Kind = engine::IdempotencyClaim::Kind;
    switch (claim->kind) {
        case Kind::mismatch:
            return std::unexpected(ApiError{409, "conflict",
                                            "Idempotency-Key was already used with another request (method, path "
                                            "or body); use a new key for a new request"});
        case Kind::in_progress:
            return std::unexpected(ApiError{
                409, "conflict", "a request with this Idempotency-Key is still running; retry once it has answered"});
        case Kind::replay: {
            auto body = util::parse_json(claim->response_json, "idempotency record");
            if (!body) return std::unexpected(store_failed(body.error()));
            return ApiResponse{claim->status, std::move(*body), {{"idempotent-replayed", "true"}}};
        }
        case Kind::started:
            break;
    }
    ApiResult result;
    try {
        result = run();
    } catch (...) {
        // The HTTP layer answers 500; the claim must not outlive the request, or every retry
        // with this key would be refused as "still running" until a restart.
        (void)records.abandon(*key);
        throw;
    }
    if (!result) {
        (void)records.abandon(*key);
        return result;
    }
    if (auto done = records.finish(*key, result->status, json::serialize(result->body)); !done) {
        // The operation ran: answer it. The claim is dropped so a retry is not refused for a day,
        // at the price of running again; a stuck claim would be worse for the client.
        (void)records.abandon(*key);
    }
    return result;
}

ApiResult run_idempotent(engine::IdempotencyRecords& records, const ApiRequest& request,
                         const std::function<ApiResult()>& run) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return run_idempotent(records, request, run, now.count());
}

}  // namespace crm::harness::serve
