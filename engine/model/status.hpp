#pragma once
// The engine's closed vocabularies (docs/ENGINE.md) and the pure rules over them. Every enum has
// to_string() (the exact wire/store spelling) and parse_*() (nullopt for an unknown spelling),
// so the store, the CLI and the artifacts all agree on one spelling.
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace crm::engine {

enum class AccessMode { self_service, subscription };
enum class BatchStatus { pending, running, succeeded, failed, rolled_back, rollback_failed };
enum class ProviderStatus { active, inactive, broken };
enum class AccessStatus { none, self_service_ready, subscription_ready, broken };
enum class LatestAccessStatus { fully_ready, partially_ready, not_ready };
enum class ResourceKind { group, account, channel, user, subscription, api_key };
// intent: journaled, host create not yet confirmed; created: host id known; deleted: removed by
// rollback/recover; absent: an intent that never reached the host; delete_failed: still there.
enum class ResourceState { intent, created, deleted, absent, delete_failed };

[[nodiscard]] std::string_view to_string(AccessMode v) noexcept;
[[nodiscard]] std::string_view to_string(BatchStatus v) noexcept;
[[nodiscard]] std::string_view to_string(ProviderStatus v) noexcept;
[[nodiscard]] std::string_view to_string(AccessStatus v) noexcept;
[[nodiscard]] std::string_view to_string(LatestAccessStatus v) noexcept;
[[nodiscard]] std::string_view to_string(ResourceKind v) noexcept;
[[nodiscard]] std::string_view to_string(ResourceState v) noexcept;

[[nodiscard]] std::optional<AccessMode> parse_access_mode(std::string_view s) noexcept;
[[nodiscard]] std::optional<BatchStatus> parse_batch_status(std::string_view s) noexcept;
[[nodiscard]] std::optional<ProviderStatus> parse_provider_status(std::string_view s) noexcept;
[[nodiscard]] std::optional<AccessStatus> parse_access_status(std::string_view s) noexcept;
[[nodiscard]] std::optional<LatestAccessStatus> parse_latest_access_status(std::string_view s) noexcept;
[[nodiscard]] std::optional<ResourceKind> parse_resource_kind(std::string_view s) noexcept;
[[nodiscard]] std::optional<ResourceState> parse_resource_state(std::string_view s) noexcept;

// The batch lifecycle: pending → running → succeeded | failed, then rolled_back |
// rollback_failed; a failed rollback may be retried. pending → failed covers a batch that fails
// before its first host write. Staying in the same status is not a transition.
[[nodiscard]] bool can_transition(BatchStatus from, BatchStatus to) noexcept;

// True for the statuses after which a batch owns nothing it still has to clean up.
[[nodiscard]] bool is_terminal(BatchStatus s) noexcept;

// The access status a successful closure of `mode` yields.
[[nodiscard]] AccessStatus ready_status(AccessMode mode) noexcept;

// latest_access_status over the modes configured for the provider: fully_ready when every
// configured mode is <mode>_ready, partially_ready when at least one is, not_ready otherwise
// (including when no mode is configured). Statuses of unconfigured modes are ignored.
[[nodiscard]] LatestAccessStatus latest_access_status(const std::vector<AccessMode>& configured,
                                                      const std::map<AccessMode, AccessStatus>& per_mode);

// The provider status implied by a batch status: succeeded → active; failed / rollback_failed →
// broken; pending / running / rolled_back → inactive. Reconcile may later mark an active
// provider broken when owned resources drifted.
[[nodiscard]] ProviderStatus provider_status_for(BatchStatus s) noexcept;

// Deletion rank for rollback: api keys first, then subscriptions, users, channel, accounts,
// groups (lower rank is deleted first).
[[nodiscard]] int deletion_rank(ResourceKind k) noexcept;

}  // namespace crm::engine
