// The outcomes read back from the JSON their to_json writes (the control plane's answers).
#include "engine/model/outcomes_json.hpp"

#include <catch2/catch.hpp>

using namespace crm::engine;
namespace json = boost::json;

namespace {

ResourceView resource(ResourceKind kind, std::string name, std::optional<AccessMode> mode,
                      std::optional<std::int64_t> id, ResourceState state, std::string error = {}) {
    return ResourceView{kind, std::move(name), mode, id, state, std::move(error)};
}

ImportOutcome sample_import() {
    ImportOutcome o;
    o.batch_id = 7;
    o.batch_status = BatchStatus::failed;
    o.provider_status = ProviderStatus::broken;
    o.provider = "cn-core/deepseek";
    o.platform = "openai";
    o.name_prefix = "crm-ab12-1s-deepseek";
    o.modes = {AccessMode::self_service, AccessMode::subscription};
    o.resources = {
        resource(ResourceKind::group, "crm-ab12-1s-deepseek-ss", AccessMode::self_service, 11, ResourceState::created),
        resource(ResourceKind::account, "crm-ab12-1s-deepseek-a1", std::nullopt, std::nullopt, ResourceState::intent,
                 "host said 500")};
    o.error = "account create failed: host said 500";
    o.error_code = crm::util::ErrorCode::protocol;
    return o;
}

AccessOutcome sample_access() {
    AccessOutcome o;
    o.batch_id = 7;
    o.mode = AccessMode::subscription;
    o.access_status = AccessStatus::subscription_ready;
    o.latest_access_status = LatestAccessStatus::partially_ready;
    o.managed_user = false;
    o.user_id = 3;
    o.group_id = 11;
    o.key_id = std::nullopt;
    o.subscription_id = 9;
    o.key_route = "admin_fork_route";
    o.smoke_test_model = "deepseek-chat";
    o.ready = ReadyCheck{true, 200, false, 502, false, "chat 502"};
    o.account_tests = {AccountTestResult{4, true, false, "ok"}, AccountTestResult{5, false, true, "429"}};
    o.error = "chat 502";
    return o;
}

ReconcileOutcome sample_reconcile() {
    ReconcileOutcome o;
    o.batch_id = 7;
    o.status = "drifted";
    o.owned_checked = 5;
    o.drift = {DriftItem{ResourceKind::channel, "crm-ch", 12, "modified", "base_url: a vs b"},
               DriftItem{ResourceKind::group, "crm-g", std::nullopt, "missing", ""}};
    o.residue = {ResidueItem{ResourceKind::account, 99, "someone-else", "openai"}};
    return o;
}

RollbackOutcome sample_rollback() {
    RollbackOutcome o;
    o.batch_id = 7;
    o.batch_status = BatchStatus::rollback_failed;
    o.resources = {
        resource(ResourceKind::api_key, "k", AccessMode::self_service, 1, ResourceState::deleted),
        resource(ResourceKind::group, "g", AccessMode::self_service, 2, ResourceState::delete_failed, "409")};
    o.remaining = {resource(ResourceKind::group, "g", AccessMode::self_service, 2, ResourceState::delete_failed)};
    o.balance_credits = {
        CreditView{AccessMode::self_service, "u@example.com", 5.0, 2.5, "taken_back", "probes spent 0.5"}};
    o.host_checks = 6;
    o.error = "group g still on the host";
    return o;
}

BatchReport sample_report() {
    BatchReport b;
    b.batch_id = 7;
    b.host_url = "http://127.0.0.1:8080";
    b.provider = "cn-core/kimi";
    b.platform = "openai";
    b.name_prefix = "crm-x";
    b.owner_run = "ab12";
    b.modes = {AccessMode::self_service};
    b.batch_status = BatchStatus::succeeded;
    b.provider_status = ProviderStatus::active;
    b.access = {{AccessMode::self_service, AccessStatus::self_service_ready}};
    b.latest_access_status = LatestAccessStatus::fully_ready;
    b.resources = {resource(ResourceKind::group, "g", AccessMode::self_service, 2, ResourceState::created)};
    b.created_at = "2026-12-03T10:00:00Z";
    b.updated_at = "2026-12-03T10:00:05Z";
    return b;
}

template <class T, class From>
void round_trip(const T& original, From from) {
    const auto j = original.to_json();
    auto back = from(j);
    REQUIRE(back.has_value());
    CHECK(back->to_json() == j);
}

template <class From>
std::string error_of(json::value j, From from) {
    auto r = from(j);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == crm::util::ErrorCode::protocol);
    return r.error().message;
}

}  // namespace

TEST_CASE("outcomes json: every outcome survives to_json -> from_json -> to_json") {
    round_trip(sample_import(), import_outcome_from_json);
    round_trip(ImportOutcome{}, import_outcome_from_json);
    round_trip(sample_access(), access_outcome_from_json);
    round_trip(AccessOutcome{}, access_outcome_from_json);
    round_trip(sample_reconcile(), reconcile_outcome_from_json);
    round_trip(sample_rollback(), rollback_outcome_from_json);
    round_trip(RollbackOutcome{}, rollback_outcome_from_json);
    round_trip(sample_report(), batch_report_from_json);
}

TEST_CASE("outcomes json: the typed fields come back, the api key never was there") {
    auto in = sample_import();
    auto i = import_outcome_from_json(in.to_json());
    REQUIRE(i.has_value());
    CHECK(i->resources == in.resources);
    CHECK(i->error_code == crm::util::ErrorCode::protocol);
    CHECK(i->modes == in.modes);

    auto access = sample_access();
    access.api_key = "sk-secret-not-serialised";
    auto a = access_outcome_from_json(access.to_json());
    REQUIRE(a.has_value());
    CHECK(a->api_key.empty());
    CHECK(a->user_id == 3);
    CHECK_FALSE(a->key_id.has_value());
    CHECK(a->ready.stream_ok == false);
    CHECK(a->account_tests.size() == 2);
    CHECK_FALSE(a->error_code.has_value());

    auto r = reconcile_outcome_from_json(sample_reconcile().to_json());
    REQUIRE(r.has_value());
    CHECK(r->drift == sample_reconcile().drift);
    CHECK(r->residue == sample_reconcile().residue);

    auto b = rollback_outcome_from_json(sample_rollback().to_json());
    REQUIRE(b.has_value());
    CHECK(b->balance_credits == sample_rollback().balance_credits);
    CHECK(b->remaining == sample_rollback().remaining);
    CHECK(b->host_checks == 6);
}

TEST_CASE("outcomes json: a missing or mistyped field is one line naming it") {
    auto j = sample_import().to_json();
    j.as_object().erase("batch_status");
    CHECK(error_of(j, import_outcome_from_json) == "import outcome: batch_status: missing");

    j = sample_import().to_json();
    j.as_object()["resources"].as_array()[1].as_object()["state"] = "gone";
    CHECK(error_of(j, import_outcome_from_json) ==
          "import outcome: resources[1].state: unknown value \"gone\" (expected one of intent, created, deleted, "
          "absent, delete_failed)");

    j = sample_access().to_json();
    j.as_object()["ready"].as_object()["chat_ok"] = "yes";
    CHECK(error_of(j, access_outcome_from_json) == "access outcome: ready.chat_ok: must be true or false");

    j = sample_access().to_json();
    j.as_object()["user_id"] = "3";
    CHECK(error_of(j, access_outcome_from_json) == "access outcome: user_id: must be an integer");

    j = sample_reconcile().to_json();
    j.as_object()["drift"] = json::object{};
    CHECK(error_of(j, reconcile_outcome_from_json) == "reconcile outcome: drift: must be an array");

    j = sample_rollback().to_json();
    j.as_object()["read_back"].as_object().erase("remaining");
    CHECK(error_of(j, rollback_outcome_from_json) == "rollback outcome: read_back.remaining: missing");

    j = sample_rollback().to_json();
    j.as_object()["balance_credits"].as_array()[0].as_object()["amount"] = nullptr;
    CHECK(error_of(j, rollback_outcome_from_json) == "rollback outcome: balance_credits[0].amount: must be a number");

    j = sample_import().to_json();
    j.as_object()["modes"] = json::array{"self_service", "both"};
    CHECK(error_of(j, import_outcome_from_json) == "import outcome: modes[1]: must be self_service or subscription");

    j = sample_import().to_json();
    j.as_object()["error_code"] = "teapot";
    CHECK(error_of(j, import_outcome_from_json) == "import outcome: error_code: unknown error code \"teapot\"");

    CHECK(error_of(json::value("<html>"), import_outcome_from_json) == "import outcome: (document): must be an object");
}

TEST_CASE("outcomes json: error codes read back by their spelling") {
    CHECK(parse_error_code("connect_failed") == crm::util::ErrorCode::connect_failed);
    CHECK(parse_error_code("internal") == crm::util::ErrorCode::internal);
    CHECK_FALSE(parse_error_code("nope").has_value());
}
