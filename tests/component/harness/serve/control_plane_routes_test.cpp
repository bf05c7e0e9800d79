// The control plane's handlers over the real engine, a stub host on loopback and a temp state
// file: every route's status codes and bodies, Idempotency-Key, and the mapping of errors.
#include <catch2/catch.hpp>
#include <thread>

#include "engine/store/host_lease.hpp"
#include "plane_rig.hpp"

using namespace crm;
using crm::test::PlaneRig;
namespace json = boost::json;
using namespace std::string_literals;

namespace {

std::string id_of(std::int64_t id) { return std::to_string(id); }

std::int64_t first_account(const json::value& import_outcome) {
    for (const auto& r : import_outcome.at("resources").as_array()) {
        if (r.at("kind") == "account") return r.at("host_id").as_int64();
    }
    return 0;
}

}  // namespace

TEST_CASE("control plane: host, pack, import, access, reconcile and rollback through the handlers",
          "[serve][component]") {
    auto rig = PlaneRig::start();
    const auto host_url = rig->engine_rig->cluster->endpoints().host_url;
    const auto admin_key = rig->engine_rig->cluster->endpoints().admin_api_key;

    // Hosts: created (201), re-posted (200, same id), read back without any secret.
    auto host_id = rig->create_host();
    auto again = rig->ok(
        rig->call("createHost", {},
                  R"({"url":")" + host_url + R"(/","admin_key":")" + admin_key + R"(","accept_compliance":true})"),
        200);
    CHECK(again.at("host").at("id").as_int64() == host_id);
    CHECK(again.at("host").at("admin_auth") == "key");
    auto listed = rig->ok(rig->call("listHosts"), 200);
    REQUIRE(listed.at("hosts").as_array().size() == 1);
    CHECK(json::serialize(listed).find(admin_key) == std::string::npos);
    CHECK(rig->ok(rig->call("getHost", {{"hostID", id_of(host_id)}}), 200).at("host").at("capabilities").is_null());

    auto caps = rig->ok(rig->call("probeHost", {{"hostID", id_of(host_id)}}), 200);
    CHECK(caps.at("admin_auth").at("ok") == true);
    CHECK(rig->ok(rig->call("getHost", {{"hostID", id_of(host_id)}}), 200).at("host").at("capabilities").is_object());

    // Packs and providers.
    CHECK(PlaneRig::err(rig->call("installPack", {}, R"({"pack_id":"nope"})")) == std::pair{404, "not_found"s});
    auto pack = rig->ok(rig->call("installPack", {}, R"({"pack_id":"stub-pack"})"), 201);
    CHECK(pack.at("pack").at("providers").as_array().size() == 2);
    CHECK(rig->ok(rig->call("listPacks"), 200).at("packs").as_array().size() == 1);
    auto providers = rig->ok(rig->call("listProviders"), 200).at("providers").as_array();
    REQUIRE(providers.size() == 2);
    CHECK(providers[0].at("id") == "deepseek");
    CHECK(providers[0].at("batches") == 0);
    CHECK(providers[0].at("latest_batch").is_null());

    // Preview, then import with an Idempotency-Key: a retry is answered from the record.
    const std::string import_body = R"({"host_id":)" + id_of(host_id) + R"(,"modes":["self_service","subscription"]})";
    auto plan = rig->ok(rig->call("previewImport", {{"providerID", "deepseek"}}, import_body), 200);
    CHECK(plan.at("resources").as_array().size() == 5);
    const std::vector<std::pair<std::string, std::string>> key{{"idempotency-key", "import-1"}};
    auto first = rig->call("importProvider", {{"providerID", "deepseek"}}, import_body, key);
    auto imported = rig->ok(first, 201);
    REQUIRE(imported.at("batch_status") == "succeeded");
    const auto batch_id = imported.at("batch_id").as_int64();
    auto replay = rig->call("importProvider", {{"providerID", "deepseek"}}, import_body, key);
    CHECK(rig->ok(replay, 201) == imported);
    CHECK(replay->headers == std::vector<std::pair<std::string, std::string>>{{"idempotent-replayed", "true"}});
    CHECK(first->headers.empty());
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}},
                                  R"({"host_id":)" + id_of(host_id) + "}", key)) == std::pair{409, "conflict"s});
    auto batches = rig->ok(rig->call("listImportBatches", {{"providerID", "deepseek"}}), 200);
    CHECK(batches.at("batches").as_array().size() == 1);  // the replay imported nothing
    CHECK(rig->events.count("import:succeeded") == 1);

    // Access in both modes (the newest succeeded batch; never the user's key).
    auto self = rig->ok(rig->call("closeAccess", {{"providerID", "deepseek"}}, R"({"mode":"self_service"})"), 200);
    CHECK(self.at("access_status") == "self_service_ready");
    auto sub = rig->ok(rig->call("closeAccess", {{"providerID", "deepseek"}},
                                 R"({"mode":"subscription","batch_id":)" + id_of(batch_id) + "}"),
                       200);
    CHECK(sub.at("access_status") == "subscription_ready");
    CHECK(rig->secrets.find_leaks(json::serialize(self) + json::serialize(sub)).empty());
    auto status =
        rig->ok(rig->call("getAccessStatus", {{"providerID", "deepseek"}}, {}, {}, {{"host_id", id_of(host_id)}}), 200);
    REQUIRE(status.at("batches").as_array().size() == 1);
    CHECK(status.at("batches").at(0).at("access").at("subscription") == "subscription_ready");
    CHECK(status.at("batches").at(0).at("latest_access_status") == "fully_ready");

    // Reconcile: in sync, then drift after an account disappears from the host.
    auto clean = rig->ok(rig->call("reconcileProvider", {{"providerID", "deepseek"}}, "{}"), 200);
    CHECK(clean.at("status") == "in_sync");
    REQUIRE(rig->engine_rig->admin().delete_account(first_account(imported)));
    auto drift = rig->ok(
        rig->call("reconcileProvider", {{"providerID", "deepseek"}}, R"({"batch_id":)" + id_of(batch_id) + "}"), 200);
    CHECK(drift.at("status") == "drifted");
    CHECK(rig->events.count("reconcile_run:api:in_sync:0") == 1);
    auto batch = rig->ok(rig->call("getImportBatch", {{"batchID", id_of(batch_id)}}), 200);
    REQUIRE(batch.at("reconcile_runs").as_array().size() == 2);
    CHECK(batch.at("reconcile_runs").at(0).at("status") == "drifted");  // newest first
    CHECK(batch.at("reconcile_runs").at(1).at("status") == "in_sync");

    // Rollback, and the host holds nothing of the batch.
    auto rb = rig->ok(rig->call("rollbackBatch", {{"batchID", id_of(batch_id)}}), 200);
    CHECK(rb.at("batch_status") == "rolled_back");
    CHECK(rig->engine_rig->host_resources_named(imported.at("name_prefix").as_string().c_str()) == 0);
    CHECK(rig->ok(rig->call("getImportBatch", {{"batchID", id_of(batch_id)}}), 200).at("batch_status") ==
          "rolled_back");
    CHECK(rig->events.count("rollback:rolled_back") == 1);
}

TEST_CASE("control plane: bad bodies, unknown fields and unknown ids get their codes", "[serve][component]") {
    auto rig = PlaneRig::start();
    const auto host_url = rig->engine_rig->cluster->endpoints().host_url;
    using P = std::pair<int, std::string>;
    CHECK(PlaneRig::err(rig->call("createHost", {}, "{not json")) == P{400, "bad_json"});
    auto unknown =
        rig->call("createHost", {}, R"({"url":")" + host_url + R"(","admin_key_env":"ADMIN_KEY","colour":1})");
    CHECK(PlaneRig::err(unknown) == P{400, "invalid_input"});
    CHECK(unknown.error().message.find("\"colour\"") != std::string::npos);
    auto bad_url = rig->call("createHost", {}, R"({"url":"ftp://x","admin_key_env":"ADMIN_KEY"})");
    CHECK(PlaneRig::err(bad_url) == P{400, "invalid_input"});
    CHECK(bad_url.error().message.starts_with("url:"));
    // The control plane's own settings (its token among them) are never sent to a host.
    auto own =
        rig->call("createHost", {}, R"({"url":")" + host_url + R"(","admin_key_env":"SUB2API_CRM_ADMIN_TOKEN"})");
    CHECK(PlaneRig::err(own) == P{400, "invalid_input"});
    CHECK(own.error().message.find("admin_key_env: SUB2API_CRM_ADMIN_TOKEN") != std::string::npos);
    auto no_var = rig->call("createHost", {}, R"({"url":")" + host_url + R"(","admin_key_env":"NOT_SET_ANYWHERE"})");
    CHECK(PlaneRig::err(no_var) == P{422, "missing_secret"});
    CHECK(no_var.error().message.find("NOT_SET_ANYWHERE") != std::string::npos);
    CHECK(PlaneRig::err(rig->call("createHost", {}, R"({"url":")" + host_url + R"("})")) == P{400, "invalid_input"});
    CHECK(rig->ok(rig->call("listHosts"), 200).at("hosts").as_array().empty());

    CHECK(PlaneRig::err(rig->call("getHost", {{"hostID", "99"}})) == P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("getHost", {{"hostID", "abc"}})) == P{400, "invalid_input"});
    CHECK(PlaneRig::err(rig->call("getImportBatch", {{"batchID", "42"}})) == P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("rollbackBatch", {{"batchID", "42"}})) == P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("listImportBatches", {{"providerID", "nosuch"}})) == P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("listImportBatches", {{"providerID", "deepseek"}}, {}, {}, {{"colour", "1"}})) ==
          P{400, "invalid_input"});

    auto host_id = rig->create_host();
    rig->install_pack();
    const std::string body = R"({"host_id":)" + id_of(host_id) + "}";
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "nosuch"}}, body)) == P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}}, R"({"host_id":999})")) ==
          P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}}, R"({"host_id":"one"})")) ==
          P{400, "invalid_input"});
    auto bad_mode = rig->call("importProvider", {{"providerID", "deepseek"}},
                              R"({"host_id":)" + id_of(host_id) + R"(,"modes":["solo"]})");
    CHECK(PlaneRig::err(bad_mode) == P{400, "invalid_input"});
    CHECK(bad_mode.error().message.starts_with("modes[0]:"));
    // The upstream key variable of provider "nokey" is not set: refused before the host is touched.
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "nokey"}}, body)) == P{422, "missing_secret"});
    CHECK(PlaneRig::err(rig->call("closeAccess", {{"providerID", "deepseek"}}, R"({"mode":"self_service"})")) ==
          P{404, "not_found"});
    CHECK(PlaneRig::err(rig->call("closeAccess", {{"providerID", "deepseek"}}, R"({"mode":"x"})")) ==
          P{400, "invalid_input"});
    CHECK(PlaneRig::err(rig->call("closeAccess", {{"providerID", "deepseek"}},
                                  R"({"mode":"self_service","user":{"email":"a@b.c","password_env":"NOPE"}})")) ==
          P{422, "missing_secret"});
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}}, body,
                                  {{"idempotency-key", std::string(300, 'k')}})) == P{400, "invalid_input"});

    // After stop(), no engine operation starts.
    rig->plane->stop();
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}}, body)) == P{503, "shutting_down"});
}

TEST_CASE("control plane: the worker leaves a busy host alone and reconciles it once free", "[serve][component]") {
    auto rig = PlaneRig::start();
    auto host_id = rig->create_host();
    rig->install_pack();
    auto batch_id = rig->import(host_id);
    {
        // What a running import, access or rollback holds for as long as it talks to the host.
        auto busy = engine::store::HostLease::acquire(
            rig->engine_rig->db_path, host_id, engine::store::LeaseKind::shared, std::chrono::milliseconds(0), "stub");
        REQUIRE(busy);
        rig->plane->run_worker_tick();
        auto w = rig->plane->worker_status();
        CHECK(w.runs == 1);
        CHECK(w.skips == 1);
        CHECK(w.reconciles == 0);
        CHECK(rig->events.count("skip:host_busy") == 1);
        CHECK(rig->ok(rig->call("getImportBatch", {{"batchID", id_of(batch_id)}}), 200)
                  .at("reconcile_runs")
                  .as_array()
                  .empty());
    }
    rig->plane->run_worker_tick();
    auto w = rig->plane->worker_status();
    CHECK(w.runs == 2);
    CHECK(w.skips == 1);
    CHECK(w.reconciles == 1);
    CHECK(w.last_error.empty());
    CHECK(rig->events.count("reconcile_run:worker:in_sync:0") == 1);
    auto runs = rig->ok(rig->call("getImportBatch", {{"batchID", id_of(batch_id)}}), 200).at("reconcile_runs");
    CHECK(runs.as_array().size() == 1);
    auto health = rig->plane->health();
    CHECK(health.at("store") == "ok");
    CHECK(health.at("worker").at("runs") == 2);
    CHECK(health.at("worker").at("skips") == 1);
}

TEST_CASE("control plane: the worker ticks on its interval, stores its runs and stops when asked",
          "[serve][component]") {
    auto rig = PlaneRig::start(/*worker=*/true, std::chrono::milliseconds(100));
    auto host_id = rig->create_host();
    rig->install_pack();
    auto batch_id = rig->import(host_id);
    rig->plane->start_worker();
    // No time limit here: the suite's timeout fails a worker that never ticks.
    while (rig->plane->worker_status().runs < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    rig->plane->stop();
    const auto after_stop = rig->plane->worker_status();
    CHECK(after_stop.runs >= 2);
    CHECK(after_stop.reconciles >= 1);
    CHECK(rig->plane->health().at("worker").at("interval_seconds").as_double() == Approx(0.1));
    auto runs = rig->ok(rig->call("getImportBatch", {{"batchID", id_of(batch_id)}}), 200).at("reconcile_runs");
    CHECK(runs.as_array().size() == after_stop.reconciles);
    // Joined: nothing ticks after stop() returned.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    CHECK(rig->plane->worker_status().runs == after_stop.runs);
}

TEST_CASE("control plane: stop() wakes a worker waiting out a long interval", "[serve][component]") {
    auto rig = PlaneRig::start(/*worker=*/true, std::chrono::hours(1));
    rig->plane->start_worker();
    rig->plane->stop();  // would wait an hour (and hit the suite's timeout) if it did not wake the worker
    CHECK(rig->plane->worker_status().runs == 0);
}

TEST_CASE("control plane: parallel imports on one host each get a batch, and one Idempotency-Key runs once",
          "[serve][component]") {
    auto rig = PlaneRig::start();
    auto host_id = rig->create_host();
    rig->install_pack();
    const std::string body = R"({"host_id":)" + id_of(host_id) + R"(,"modes":["self_service"]})";
    auto import_on_threads = [&](const std::vector<std::pair<std::string, std::string>>& headers) {
        std::vector<crm::harness::serve::ApiResult> results(3);
        std::vector<std::thread> threads;
        for (auto& slot : results) {
            threads.emplace_back(
                [&, out = &slot] { *out = rig->call("importProvider", {{"providerID", "deepseek"}}, body, headers); });
        }
        for (auto& t : threads) t.join();
        return results;
    };

    for (const auto& r : import_on_threads({})) {
        REQUIRE(r);
        CHECK(r->status == 201);
        CHECK(r->body.at("batch_status") == "succeeded");
    }
    auto listed = rig->ok(rig->call("listImportBatches", {{"providerID", "deepseek"}}), 200);
    CHECK(listed.at("batches").as_array().size() == 3);

    // One key on three threads: the first runs; the others are replays or 409 (still running).
    std::size_t created = 0;
    for (const auto& r : import_on_threads({{"idempotency-key", "same-key"}})) {
        if (r) {
            CHECK(r->status == 201);
            created += r->headers.empty();
        } else {
            CHECK(r.error().status == 409);
        }
    }
    CHECK(created == 1);
    listed = rig->ok(rig->call("listImportBatches", {{"providerID", "deepseek"}}), 200);
    CHECK(listed.at("batches").as_array().size() == 4);
}

TEST_CASE("control plane: an import with owner_run belongs to that run, one without is an installed provider",
          "[serve][component]") {
    auto rig = PlaneRig::start();
    auto host_id = rig->create_host();
    rig->install_pack();
    auto owned =
        rig->ok(rig->call("importProvider", {{"providerID", "deepseek"}},
                          R"({"host_id":)" + id_of(host_id) + R"(,"owner_run":"run-7f3a","modes":["self_service"]})"),
                201);
    auto installed = rig->ok(rig->call("importProvider", {{"providerID", "deepseek"}},
                                       R"({"host_id":)" + id_of(host_id) + R"(,"modes":["self_service"]})"),
                             201);
    auto& store = *rig->engine_rig->store;
    auto owned_batch = store.batch(owned.at("batch_id").as_int64());
    auto installed_batch = store.batch(installed.at("batch_id").as_int64());
    REQUIRE(owned_batch);
    REQUIRE(installed_batch);
    CHECK(owned_batch->owner_run == "run-7f3a");
    CHECK(installed_batch->owner_run.empty());
    CHECK(PlaneRig::err(rig->call("importProvider", {{"providerID", "deepseek"}},
                                  R"({"host_id":)" + id_of(host_id) + R"(,"owner_run":7})")) ==
          std::pair<int, std::string>{400, "invalid_input"});
}
