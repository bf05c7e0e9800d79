#include "engine/model/status.hpp"

#include <catch2/catch.hpp>

using namespace crm::engine;

TEST_CASE("status: every enum round-trips through its wire spelling", "[engine]") {
    for (auto v : {BatchStatus::pending, BatchStatus::running, BatchStatus::succeeded, BatchStatus::failed,
                   BatchStatus::rolled_back, BatchStatus::rollback_failed}) {
        CHECK(parse_batch_status(to_string(v)) == v);
    }
    for (auto v : {AccessStatus::none, AccessStatus::self_service_ready, AccessStatus::subscription_ready,
                   AccessStatus::broken}) {
        CHECK(parse_access_status(to_string(v)) == v);
    }
    for (auto v : {ResourceKind::group, ResourceKind::account, ResourceKind::channel, ResourceKind::user,
                   ResourceKind::subscription, ResourceKind::api_key}) {
        CHECK(parse_resource_kind(to_string(v)) == v);
    }
    CHECK(to_string(LatestAccessStatus::partially_ready) == "partially_ready");
    CHECK(parse_access_mode("subscription") == AccessMode::subscription);
    CHECK_FALSE(parse_access_mode("Subscription").has_value());
    CHECK_FALSE(parse_batch_status("done").has_value());
}

TEST_CASE("status: batch lifecycle allows only pending-running-outcome-rollback", "[engine]") {
    CHECK(can_transition(BatchStatus::pending, BatchStatus::running));
    CHECK(can_transition(BatchStatus::running, BatchStatus::succeeded));
    CHECK(can_transition(BatchStatus::running, BatchStatus::failed));
    CHECK(can_transition(BatchStatus::failed, BatchStatus::rolled_back));
    CHECK(can_transition(BatchStatus::succeeded, BatchStatus::rollback_failed));
    CHECK(can_transition(BatchStatus::rollback_failed, BatchStatus::rolled_back));
    CHECK_FALSE(can_transition(BatchStatus::pending, BatchStatus::succeeded));
    CHECK_FALSE(can_transition(BatchStatus::rolled_back, BatchStatus::running));
    CHECK_FALSE(can_transition(BatchStatus::succeeded, BatchStatus::running));
    CHECK_FALSE(can_transition(BatchStatus::running, BatchStatus::rolled_back));
}

TEST_CASE("status: latest_access_status counts only configured modes", "[engine]") {
    const std::vector<AccessMode> both{AccessMode::self_service, AccessMode::subscription};
    const std::vector<AccessMode> self_only{AccessMode::self_service};
    using M = std::map<AccessMode, AccessStatus>;
    CHECK(latest_access_status(both, M{}) == LatestAccessStatus::not_ready);
    CHECK(latest_access_status(both, M{{AccessMode::self_service, AccessStatus::self_service_ready}}) ==
          LatestAccessStatus::partially_ready);
    CHECK(latest_access_status(both, M{{AccessMode::self_service, AccessStatus::self_service_ready},
                                       {AccessMode::subscription, AccessStatus::subscription_ready}}) ==
          LatestAccessStatus::fully_ready);
    CHECK(latest_access_status(both, M{{AccessMode::self_service, AccessStatus::self_service_ready},
                                       {AccessMode::subscription, AccessStatus::broken}}) ==
          LatestAccessStatus::partially_ready);
    // a ready mode that is not configured does not make the provider ready
    CHECK(latest_access_status(self_only, M{{AccessMode::subscription, AccessStatus::subscription_ready}}) ==
          LatestAccessStatus::not_ready);
    CHECK(latest_access_status(self_only, M{{AccessMode::self_service, AccessStatus::self_service_ready}}) ==
          LatestAccessStatus::fully_ready);
    // a mode's status must be its own ready status
    CHECK(latest_access_status(self_only, M{{AccessMode::self_service, AccessStatus::subscription_ready}}) ==
          LatestAccessStatus::not_ready);
    CHECK(latest_access_status({}, M{}) == LatestAccessStatus::not_ready);
}

TEST_CASE("status: provider status follows the batch and rollback deletes keys before groups", "[engine]") {
    CHECK(provider_status_for(BatchStatus::succeeded) == ProviderStatus::active);
    CHECK(provider_status_for(BatchStatus::failed) == ProviderStatus::broken);
    CHECK(provider_status_for(BatchStatus::rolled_back) == ProviderStatus::inactive);
    CHECK(provider_status_for(BatchStatus::rollback_failed) == ProviderStatus::broken);
    CHECK(deletion_rank(ResourceKind::api_key) < deletion_rank(ResourceKind::subscription));
    CHECK(deletion_rank(ResourceKind::subscription) < deletion_rank(ResourceKind::user));
    CHECK(deletion_rank(ResourceKind::user) < deletion_rank(ResourceKind::channel));
    CHECK(deletion_rank(ResourceKind::channel) < deletion_rank(ResourceKind::account));
    CHECK(deletion_rank(ResourceKind::account) < deletion_rank(ResourceKind::group));
}
