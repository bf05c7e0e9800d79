#pragma once
// The answers the control plane gave to creating POSTs, by Idempotency-Key, so a client that
// retries (a lost answer, a timeout) gets the first answer again instead of a second import.
//
// Contract:
// - begin() claims a key in one transaction: a new key (or one older than `ttl`) is recorded
//   as running with the request's fingerprint -> started; a running key -> in_progress; a key
//   with another fingerprint -> mismatch; a finished key -> replay with its status and body;
// - finish() stores the answer of a started key; abandon() drops it (the request ended without
//   an answer worth replaying: nothing ran, so a retry is safe);
// - clear_running() drops every running claim: called when the server opens the file, since a
//   claim whose server died would otherwise refuse every retry for `ttl`;
// - times are Unix seconds given by the caller (tests control the clock); bodies are stored as
//   given, so callers store only secret-free answers.
#include <chrono>
#include <cstdint>
#include <string>

#include "engine/store/state_store.hpp"
#include "util/error.hpp"

namespace crm::engine {

struct IdempotencyClaim {
    enum class Kind { started, in_progress, mismatch, replay };
    Kind kind = Kind::started;
    int status = 0;             // replay only
    std::string response_json;  // replay only
};

class IdempotencyRecords {
  public:
    explicit IdempotencyRecords(StateStore& store) : m_store(store) {}

    [[nodiscard]] util::Result<IdempotencyClaim> begin(const std::string& key, const std::string& fingerprint,
                                                       std::int64_t now_unix, std::chrono::seconds ttl);
    [[nodiscard]] util::Result<void> finish(const std::string& key, int status, const std::string& response_json);
    [[nodiscard]] util::Result<void> abandon(const std::string& key);
    [[nodiscard]] util::Result<std::int64_t> clear_running();

  private:
    StateStore& m_store;
};

}  // namespace crm::engine
