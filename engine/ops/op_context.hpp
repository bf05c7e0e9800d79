#pragma once
// Engine internals: what one operation needs to talk to one host and the store. Built by the
// Engine facade per call; the operation files (import/, access/, rollback/, reconcile/,
// recover/) take it by reference.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "engine/engine.hpp"
#include "probes/sub2api/admin_client.hpp"

namespace crm::engine {

struct OpContext {
    StateStore& store;
    probes::sub2api::AdminClient& admin;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    EngineEvents* events = nullptr;
    std::function<void(std::size_t)> after_host_write;
    std::size_t& writes;
    std::string host_url;
    std::int64_t host_id = 0;
    probes::Timeouts timeouts{};

    void emit(std::string_view operation, std::string message, std::optional<std::int64_t> batch = {}) const {
        if (events) events->on_event(EngineEvent{std::string(operation), std::move(message), batch});
    }

    // Runs one host write and counts it (crash-injection hook), whatever its answer.
    template <class F>
    auto write(F&& f) -> decltype(f()) {
        auto result = f();
        ++writes;
        if (after_host_write) after_host_write(writes);
        return result;
    }
};

}  // namespace crm::engine
