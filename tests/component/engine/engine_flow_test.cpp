#include <catch2/catch.hpp>

#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::test::EngineRig;

TEST_CASE("engine: self_service and subscription both reach ready, then rollback leaves nothing on the host",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service, AccessMode::subscription});
    auto imp = rig->engine->import(rig->host, req);
    REQUIRE(imp);
    INFO(imp->error);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    CHECK(imp->provider_status == ProviderStatus::active);
    CHECK(imp->resources.size() == 5);  // 2 groups, 2 accounts, 1 channel
    for (const auto& r : imp->resources) {
        CHECK(r.state == ResourceState::created);
        CHECK(r.host_id.has_value());
    }

    auto self = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::self_service, {});
    REQUIRE(self);
    INFO(self->error);
    CHECK(self->access_status == AccessStatus::self_service_ready);
    CHECK(self->ready.models_listed);
    CHECK(self->ready.chat_ok);
    CHECK(self->latest_access_status == LatestAccessStatus::partially_ready);
    CHECK(self->key_route == "user_login");

    auto sub = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::subscription, {});
    REQUIRE(sub);
    INFO(sub->error);
    CHECK(sub->access_status == AccessStatus::subscription_ready);
    CHECK(sub->subscription_id.has_value());
    CHECK(sub->latest_access_status == LatestAccessStatus::fully_ready);

    // Artifacts are secret-free: the user key never appears in the outcome JSON.
    CHECK(json::serialize(sub->to_json()).find(sub->api_key) == std::string::npos);
    CHECK(rig->secrets.find_leaks(json::serialize(self->to_json())).empty());

    auto back = rig->engine->read_back_access(rig->host, imp->batch_id, AccessMode::subscription);
    REQUIRE(back);
    CHECK(util::find_path(*back, "subscription.status")->as_string() == "active");
    CHECK(util::find_path(*back, "api_key.bound_to_group")->as_bool());

    auto status = rig->engine->status(imp->batch_id);
    REQUIRE(status);
    CHECK(status->latest_access_status == LatestAccessStatus::fully_ready);

    REQUIRE(rig->host_resources_named(req.name_prefix) > 0);
    auto rb = rig->engine->rollback(rig->host, imp->batch_id);
    REQUIRE(rb);
    INFO(rb->error);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    CHECK(rb->remaining.empty());
    CHECK(rig->host_resources_named(req.name_prefix) == 0);
    CHECK(rig->engine->status(imp->batch_id)->latest_access_status == LatestAccessStatus::not_ready);
}

TEST_CASE("engine: the fork admin key route is used when the host has it", "[engine][component]") {
    auto rig = EngineRig::start("healthy", /*fork_route=*/true);
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    auto acc = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::self_service, {});
    REQUIRE(acc);
    INFO(acc->error);
    CHECK(acc->key_route == "admin_fork_route");
    CHECK(acc->access_status == AccessStatus::self_service_ready);
}

TEST_CASE("engine: a models_only host never yields ready", "[engine][component]") {
    auto rig = EngineRig::start("models_only");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service, AccessMode::subscription}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    for (auto mode : {AccessMode::self_service, AccessMode::subscription}) {
        auto acc = rig->engine->close_access(rig->host, imp->batch_id, mode, {});
        REQUIRE(acc);
        CHECK(acc->ready.models_listed);
        CHECK_FALSE(acc->ready.chat_ok);
        CHECK(acc->access_status == AccessStatus::broken);
        CHECK(acc->latest_access_status == LatestAccessStatus::not_ready);
        CHECK_FALSE(acc->error.empty());
    }
    CHECK(rig->engine->status(imp->batch_id)->latest_access_status == LatestAccessStatus::not_ready);
}

TEST_CASE("engine: reconcile detects a deleted account and a modified channel", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    auto clean = rig->engine->reconcile(rig->host, imp->batch_id);
    REQUIRE(clean);
    CHECK(clean->status == "in_sync");
    CHECK(clean->drift.empty());

    std::int64_t account_id = 0, channel_id = 0;
    for (const auto& r : imp->resources) {
        if (r.kind == ResourceKind::account && account_id == 0) account_id = *r.host_id;
        if (r.kind == ResourceKind::channel) channel_id = *r.host_id;
    }
    auto admin = rig->admin();
    REQUIRE(admin.delete_account(account_id));
    REQUIRE(admin.update_channel(
        channel_id,
        json::object{{"restrict_models", false},
                     {"model_mapping", json::object{{"deepseek", json::object{{"deepseek-chat", "other"}}}}}}));
    auto rec = rig->engine->reconcile(rig->host, imp->batch_id);
    REQUIRE(rec);
    CHECK(rec->status == "drifted");
    bool missing_account = false, channel_restrict = false, channel_mapping = false;
    for (const auto& d : rec->drift) {
        if (d.kind == ResourceKind::account && d.issue == "missing" && d.host_id == account_id) missing_account = true;
        if (d.kind == ResourceKind::channel && d.detail.find("restrict_models") != std::string::npos)
            channel_restrict = true;
        if (d.kind == ResourceKind::channel && d.detail.find("model_mapping") != std::string::npos)
            channel_mapping = true;
    }
    CHECK(missing_account);
    CHECK(channel_restrict);
    CHECK(channel_mapping);
    CHECK(rig->engine->status(imp->batch_id)->provider_status == ProviderStatus::broken);
    auto runs = rig->store->reconcile_runs(imp->batch_id);
    REQUIRE(runs);
    CHECK(runs->size() == 2);
}

TEST_CASE("engine: reconcile reports foreign resources on a shared host as residue, not drift", "[engine][component]") {
    auto rig = EngineRig::start("shared_host_residue");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    auto rec = rig->engine->reconcile(rig->host, imp->batch_id);
    REQUIRE(rec);
    CHECK(rec->status == "in_sync");
    CHECK(rec->drift.empty());
    bool group = false, account = false, channel = false;
    for (const auto& r : rec->residue) {
        CHECK(r.name.rfind("legacy-", 0) == 0);  // never one of ours
        group = group || r.kind == ResourceKind::group;
        account = account || r.kind == ResourceKind::account;
        channel = channel || r.kind == ResourceKind::channel;
    }
    CHECK(group);
    CHECK(account);
    CHECK(channel);
    // Rollback removes only what the batch owns.
    auto rb = rig->engine->rollback(rig->host, imp->batch_id);
    REQUIRE(rb);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    CHECK(rig->host_resources_named("legacy-") >= 5);
}
