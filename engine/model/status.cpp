#include "engine/model/status.hpp"

#include <array>
#include <utility>

namespace crm::engine {

namespace {

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
    for (const auto& [e, s] : table) {
        if (e == v) return s;
    }
    return "unknown";
}

template <class E, std::size_t N>
std::optional<E> parse_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
    for (const auto& [e, name] : table) {
        if (name == s) return e;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<AccessMode, std::string_view>, 2> k_modes{{
    {AccessMode::self_service, "self_service"},
    {AccessMode::subscription, "subscription"},
}};
constexpr std::array<std::pair<BatchStatus, std::string_view>, 6> k_batch{{
    {BatchStatus::pending, "pending"},
    {BatchStatus::running, "running"},
    {BatchStatus::succeeded, "succeeded"},
    {BatchStatus::failed, "failed"},
    {BatchStatus::rolled_back, "rolled_back"},
    {BatchStatus::rollback_failed, "rollback_failed"},
}};
constexpr std::array<std::pair<ProviderStatus, std::string_view>, 3> k_provider{{
    {ProviderStatus::active, "active"},
    {ProviderStatus::inactive, "inactive"},
    {ProviderStatus::broken, "broken"},
}};
constexpr std::array<std::pair<AccessStatus, std::string_view>, 4> k_access{{
    {AccessStatus::none, "none"},
    {AccessStatus::self_service_ready, "self_service_ready"},
    {AccessStatus::subscription_ready, "subscription_ready"},
    {AccessStatus::broken, "broken"},
}};
constexpr std::array<std::pair<LatestAccessStatus, std::string_view>, 3> k_latest{{
    {LatestAccessStatus::fully_ready, "fully_ready"},
    {LatestAccessStatus::partially_ready, "partially_ready"},
    {LatestAccessStatus::not_ready, "not_ready"},
}};
constexpr std::array<std::pair<ResourceKind, std::string_view>, 6> k_kind{{
    {ResourceKind::group, "group"},
    {ResourceKind::account, "account"},
    {ResourceKind::channel, "channel"},
    {ResourceKind::user, "user"},
    {ResourceKind::subscription, "subscription"},
    {ResourceKind::api_key, "api_key"},
}};
constexpr std::array<std::pair<ResourceState, std::string_view>, 5> k_state{{
    {ResourceState::intent, "intent"},
    {ResourceState::created, "created"},
    {ResourceState::deleted, "deleted"},
    {ResourceState::absent, "absent"},
    {ResourceState::delete_failed, "delete_failed"},
}};

}  // namespace

std::string_view to_string(AccessMode v) noexcept { return name_of(k_modes, v); }
std::string_view to_string(BatchStatus v) noexcept { return name_of(k_batch, v); }
std::string_view to_string(ProviderStatus v) noexcept { return name_of(k_provider, v); }
std::string_view to_string(AccessStatus v) noexcept { return name_of(k_access, v); }
std::string_view to_string(LatestAccessStatus v) noexcept { return name_of(k_latest, v); }
std::string_view to_string(ResourceKind v) noexcept { return name_of(k_kind, v); }
std::string_view to_string(ResourceState v) noexcept { return name_of(k_state, v); }

std::optional<AccessMode> parse_access_mode(std::string_view s) noexcept { return parse_of(k_modes, s); }
std::optional<BatchStatus> parse_batch_status(std::string_view s) noexcept { return parse_of(k_batch, s); }
std::optional<ProviderStatus> parse_provider_status(std::string_view s) noexcept { return parse_of(k_provider, s); }
std::optional<AccessStatus> parse_access_status(std::string_view s) noexcept { return parse_of(k_access, s); }
std::optional<LatestAccessStatus> parse_latest_access_status(std::string_view s) noexcept {
    return parse_of(k_latest, s);
}
std::optional<ResourceKind> parse_resource_kind(std::string_view s) noexcept { return parse_of(k_kind, s); }
std::optional<ResourceState> parse_resource_state(std::string_view s) noexcept { return parse_of(k_state, s); }

bool can_transition(BatchStatus from, BatchStatus to) noexcept {
    using B = BatchStatus;
    switch (from) {
        case B::pending:
            return to == B::running || to == B::failed;
        case B::running:
            return to == B::succeeded || to == B::failed;
        case B::succeeded:
        case B::failed:
            return to == B::rolled_back || to == B::rollback_failed;
        case B::rollback_failed:
            return to == B::rolled_back || to == B::rollback_failed;
        case B::rolled_back:
            return false;
    }
    return false;
}

bool is_terminal(BatchStatus s) noexcept { return s == BatchStatus::rolled_back; }

AccessStatus ready_status(AccessMode mode) noexcept {
    return mode == AccessMode::self_service ? AccessStatus::self_service_ready : AccessStatus::subscription_ready;
}

LatestAccessStatus latest_access_status(const std::vector<AccessMode>& configured,
                                        const std::map<AccessMode, AccessStatus>& per_mode) {
    std::size_t ready = 0;
    std::size_t distinct = 0;
    for (AccessMode m : {AccessMode::self_service, AccessMode::subscription}) {
        bool is_configured = false;
        for (AccessMode c : configured) is_configured = is_configured || c == m;
        if (!is_configured) continue;
        ++distinct;
        auto it = per_mode.find(m);
        if (it != per_mode.end() && it->second == ready_status(m)) ++ready;
    }
    if (distinct == 0 || ready == 0) return LatestAccessStatus::not_ready;
    return ready == distinct ? LatestAccessStatus::fully_ready : LatestAccessStatus::partially_ready;
}

ProviderStatus provider_status_for(BatchStatus s) noexcept {
    switch (s) {
        case BatchStatus::succeeded:
            return ProviderStatus::active;
        case BatchStatus::failed:
        case BatchStatus::rollback_failed:
            return ProviderStatus::broken;
        default:
            return ProviderStatus::inactive;
    }
}

int deletion_rank(ResourceKind k) noexcept {
    switch (k) {
        case ResourceKind::api_key:
            return 0;
        case ResourceKind::subscription:
            return 1;
        case ResourceKind::user:
            return 2;
        case ResourceKind::channel:
            return 3;
        case ResourceKind::account:
            return 4;
        case ResourceKind::group:
            return 5;
    }
    return 6;
}

}  // namespace crm::engine
