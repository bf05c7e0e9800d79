#include <catch2/catch.hpp>

#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::test::EngineRig;

TEST_CASE("engine: a missing upstream key is a one-line error and creates no batch", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service});
    req.provider = "nokey";
    auto imp = rig->engine->import(rig->host, req);
    REQUIRE_FALSE(imp);
    CHECK(imp.error().code == util::ErrorCode::missing_secret);
    CHECK(imp.error().message.find("UNSET_KEY_VAR") != std::string::npos);
    CHECK(imp.error().message.find('\n') == std::string::npos);
    CHECK(rig->store->batches()->empty());
}

TEST_CASE("engine: an unknown provider names the known ones", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service});
    req.provider = "glm";
    auto imp = rig->engine->import(rig->host, req);
    REQUIRE_FALSE(imp);
    CHECK(imp.error().code == util::ErrorCode::not_found);
    CHECK(imp.error().message.find("stub-pack/deepseek") != std::string::npos);
}

TEST_CASE("engine: closing access for a mode the batch did not import is refused", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::subscription}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    auto acc = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::self_service, {});
    REQUIRE_FALSE(acc);
    CHECK(acc.error().code == util::ErrorCode::invalid_input);
    CHECK(acc.error().message.find("no self_service group") != std::string::npos);
}

TEST_CASE("engine: a name collision fails the second batch and rollback spares the first batch's resources",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service});
    auto first = rig->engine->import(rig->host, req);
    REQUIRE(first);
    REQUIRE(first->batch_status == BatchStatus::succeeded);
    auto second = rig->engine->import(rig->host, req);
    REQUIRE(second);
    CHECK(second->batch_status == BatchStatus::failed);
    CHECK(second->provider_status == ProviderStatus::broken);
    CHECK(second->error.find("409") != std::string::npos);
    REQUIRE(second->resources.size() == 1);
    CHECK(second->resources[0].state == ResourceState::absent);
    auto rb = rig->engine->rollback(rig->host, second->batch_id);
    REQUIRE(rb);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    auto rec = rig->engine->reconcile(rig->host, first->batch_id);
    REQUIRE(rec);
    CHECK(rec->status == "in_sync");
}

TEST_CASE("engine: the host going down mid-import fails the batch with every created resource recorded",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto* cluster = rig->cluster.get();
    rig->make_engine([cluster](std::size_t writes) {
        if (writes == 2) cluster->stop();
    });
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service, AccessMode::subscription}));
    REQUIRE(imp);
    CHECK(imp->batch_status == BatchStatus::failed);
    CHECK(imp->provider_status == ProviderStatus::broken);
    REQUIRE(imp->resources.size() == 3);
    CHECK(imp->resources[0].state == ResourceState::created);
    CHECK(imp->resources[1].state == ResourceState::created);
    CHECK(imp->resources[2].state == ResourceState::intent);  // no answer: may exist, resolved by name later
    CHECK_FALSE(imp->error.empty());
    auto rb = rig->engine->rollback(rig->host, imp->batch_id);
    REQUIRE(rb);
    CHECK(rb->batch_status == BatchStatus::rollback_failed);  // the host cannot confirm anything
    CHECK(rig->store->integrity_check() == std::string("ok"));
    CHECK(rig->engine->status(imp->batch_id)->batch_status == BatchStatus::rollback_failed);
}

TEST_CASE("engine: preview plans groups, accounts and a channel without writing", "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service, AccessMode::subscription});
    auto plan = rig->engine->preview(rig->host, req);
    REQUIRE(plan);
    REQUIRE(plan->resources.size() == 5);
    CHECK(plan->resources[0].kind == ResourceKind::group);
    CHECK(plan->resources[4].kind == ResourceKind::channel);
    CHECK(rig->engine->host_writes() == 0);
    CHECK(rig->store->batches()->empty());
    CHECK(rig->host_resources_named(req.name_prefix) == 0);
    CHECK(rig->secrets.find_leaks(json::serialize(plan->to_json())).empty());
}

TEST_CASE("engine: a compliance-gated host without acceptance is refused before any batch exists",
          "[engine][component]") {
    auto rig = EngineRig::start("compliance_gate");
    rig->host.accept_compliance = false;
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE_FALSE(imp);
    CHECK(imp.error().code == util::ErrorCode::host_rejected);
    CHECK(rig->store->batches()->empty());
    rig->host.accept_compliance = true;
    auto ok = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(ok);
    CHECK(ok->batch_status == BatchStatus::succeeded);
}

TEST_CASE("engine: an operator-supplied user is reused for access and survives rollback", "[engine][component]") {
    auto rig = EngineRig::start("shared_host_residue");  // seeds legacy-user@example.com
    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service, AccessMode::subscription}));
    REQUIRE(imp);
    REQUIRE(imp->batch_status == BatchStatus::succeeded);
    AccessOptions reuse;
    reuse.reuse_user = UserCredentials{"legacy-user@example.com", "legacy-password"};

    // Without permission to provision, a missing subscription is reported, not fixed.
    AccessOptions check_only = reuse;
    check_only.provision_reused_user = false;
    auto missing = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::subscription, check_only);
    REQUIRE(missing);
    CHECK(missing->access_status == AccessStatus::broken);
    CHECK(missing->error.find("access precondition missing") != std::string::npos);

    auto acc = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::subscription, reuse);
    REQUIRE(acc);
    INFO(acc->error);
    CHECK(acc->access_status == AccessStatus::subscription_ready);
    CHECK_FALSE(acc->managed_user);
    auto rb = rig->engine->rollback(rig->host, imp->batch_id);
    REQUIRE(rb);
    INFO(rb->error);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    CHECK(rig->host_resources_named("legacy-user@example.com") == 1);  // never deleted
}
