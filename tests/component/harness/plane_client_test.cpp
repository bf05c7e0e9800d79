// The control plane's client against a small in-process HTTP server with canned answers: the
// typed outcomes come back, the error shape becomes a util::Error with the API's code, and an
// answer that is not the API (HTML, text, other JSON) is a protocol error quoting its first line.
#include "harness/serve/plane_client.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "stubs/http/http_server.hpp"

using namespace crm;
using harness::serve::PlaneClient;
using harness::serve::PlaneClientOptions;
namespace json = boost::json;

namespace {

// Answers every request with `status` and `body`; records what it was asked.
class CannedPlane {
  public:
    CannedPlane() {
        auto s = stubs::HttpServer::start(
            0,
            [this](const stubs::Request& r) {
                std::lock_guard lock(m_mutex);
                m_requests.push_back(r);
                stubs::Response resp;
                resp.status = m_status;
                resp.body = m_body;
                resp.content_type = m_content_type;
                return resp;
            },
            1 << 20);
        REQUIRE(s.has_value());
        m_server = std::move(*s);
    }

    void answer(int status, std::string body, std::string content_type = "application/json") {
        std::lock_guard lock(m_mutex);
        m_status = status;
        m_body = std::move(body);
        m_content_type = std::move(content_type);
    }
    [[nodiscard]] stubs::Request last() {
        std::lock_guard lock(m_mutex);
        REQUIRE_FALSE(m_requests.empty());
        return m_requests.back();
    }
    [[nodiscard]] std::string url() const { return fmt::format("http://127.0.0.1:{}", m_server->port()); }

  private:
    std::mutex m_mutex;
    int m_status = 200;
    std::string m_body = "{}";
    std::string m_content_type = "application/json";
    std::vector<stubs::Request> m_requests;
    std::unique_ptr<stubs::HttpServer> m_server;
};

engine::ImportOutcome sample_import() {
    engine::ImportOutcome o;
    o.batch_id = 4;
    o.batch_status = engine::BatchStatus::succeeded;
    o.provider_status = engine::ProviderStatus::active;
    o.provider = "cn-core/kimi";
    o.platform = "openai";
    o.name_prefix = "crm-ab-1s-kimi";
    o.modes = {engine::AccessMode::self_service};
    o.resources = {{engine::ResourceKind::group, "crm-ab-1s-kimi-ss", engine::AccessMode::self_service, 3,
                    engine::ResourceState::created, ""}};
    return o;
}

struct Fixture {
    CannedPlane plane;
    std::unique_ptr<probes::HttpTransport> http = probes::make_curl_transport();
    PlaneClient client{*http, PlaneClientOptions{plane.url() + "/", "t0ken-t0ken-t0ken-t0ken-t0ken-00",
                                                 std::chrono::milliseconds(2000), std::chrono::milliseconds(5000)}};
};

}  // namespace

TEST_CASE("plane client: import posts the cell's request with the token and reads the outcome back") {
    Fixture f;
    f.plane.answer(201, json::serialize(sample_import().to_json()));
    harness::serve::ImportCall call{
        json::value("h1"), "cn-core", {engine::AccessMode::self_service}, "crm-ab-1s-kimi", "run-5e1f"};
    auto out = f.client.import_provider("kimi", call);
    REQUIRE(out.has_value());
    CHECK(out->to_json() == sample_import().to_json());
    auto req = f.plane.last();
    CHECK(req.method == "POST");
    CHECK(req.path == "/api/providers/kimi/import");
    CHECK(req.header("authorization") == "Bearer t0ken-t0ken-t0ken-t0ken-t0ken-00");
    auto body = json::parse(req.body);
    CHECK(body.at("host_id") == json::value("h1"));
    CHECK(body.at("pack_id") == json::value("cn-core"));
    CHECK(body.at("name_prefix") == json::value("crm-ab-1s-kimi"));
    CHECK(body.at("modes") == json::value(json::array{"self_service"}));
    CHECK(body.at("owner_run") == json::value("run-5e1f"));
}

TEST_CASE("plane client: access, reconcile and rollback name their batch and read typed outcomes") {
    Fixture f;
    engine::AccessOutcome a;
    a.batch_id = 4;
    a.access_status = engine::AccessStatus::self_service_ready;
    f.plane.answer(200, json::serialize(a.to_json()));
    harness::serve::AccessCall call;
    call.host_id = json::value(1);
    call.batch_id = 4;
    call.stream_check = true;
    call.account_test = false;
    auto access = f.client.close_access("kimi", call);
    REQUIRE(access.has_value());
    CHECK(access->access_status == engine::AccessStatus::self_service_ready);
    CHECK(access->api_key.empty());
    auto body = json::parse(f.plane.last().body);
    CHECK(body.at("batch_id") == json::value(4));
    CHECK(body.at("stream_check") == json::value(true));
    CHECK(body.at("account_test") == json::value(false));
    CHECK_FALSE(body.as_object().contains("user"));

    engine::ReconcileOutcome r;
    r.batch_id = 4;
    r.status = "in_sync";
    f.plane.answer(200, json::serialize(r.to_json()));
    auto rec = f.client.reconcile_provider("kimi", 4, json::value(1));
    REQUIRE(rec.has_value());
    CHECK(rec->status == "in_sync");
    CHECK(f.plane.last().path == "/api/providers/kimi/reconcile");

    engine::RollbackOutcome rb;
    rb.batch_id = 4;
    rb.batch_status = engine::BatchStatus::rolled_back;
    f.plane.answer(200, json::serialize(rb.to_json()));
    auto back = f.client.rollback_batch(4);
    REQUIRE(back.has_value());
    CHECK(back->batch_status == engine::BatchStatus::rolled_back);
    CHECK(f.plane.last().path == "/api/import-batches/4/rollback");
}

TEST_CASE("plane client: createHost sends a literal key or an email with its password variable") {
    Fixture f;
    f.plane.answer(201, R"({"host":{"id":"h-7","name":"stub","url":"http://127.0.0.1:1","version":"0.1"}})");
    harness::serve::HostRegistration reg;
    reg.name = "stub";
    reg.url = "http://127.0.0.1:1";
    reg.admin_key = "admin-abc";
    auto h = f.client.create_host(reg);
    REQUIRE(h.has_value());
    CHECK(h->id == json::value("h-7"));
    auto body = json::parse(f.plane.last().body);
    CHECK(body.at("admin_key") == json::value("admin-abc"));
    CHECK_FALSE(body.as_object().contains("admin_email"));

    reg.admin_key.clear();
    reg.admin_email = "root@example.com";
    reg.admin_password_env = "HOST_PW";
    REQUIRE(f.client.create_host(reg).has_value());
    body = json::parse(f.plane.last().body);
    CHECK(body.at("admin_email") == json::value("root@example.com"));
    CHECK(body.at("admin_password_env") == json::value("HOST_PW"));
    CHECK_FALSE(body.as_object().contains("admin_key"));
}

TEST_CASE("plane client: the API's error shape keeps its code, message and status") {
    Fixture f;
    f.plane.answer(409, R"({"error":{"code":"conflict","message":"host lease busy: import running"}})");
    auto out = f.client.rollback_batch(9);
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == util::ErrorCode::conflict);
    CHECK(out.error().remote_code == "conflict");
    CHECK(out.error().message == "host lease busy: import running");
    CHECK(out.error().http_status == 409);

    f.plane.answer(502, R"({"error":{"code":"host_unreachable","message":"connect to http://h: refused"}})");
    auto r = f.client.get_import_batch(9);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == util::ErrorCode::connect_failed);

    f.plane.answer(401, R"({"error":{"code":"unauthorized","message":"missing or wrong bearer token"}})");
    auto u = f.client.install_pack("cn-core");
    REQUIRE_FALSE(u.has_value());
    CHECK(u.error().code == util::ErrorCode::host_rejected);
}

TEST_CASE("plane client: an answer that is not the API is a protocol error quoting its first line") {
    Fixture f;
    f.plane.answer(502, "<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", "text/html");
    auto out = f.client.rollback_batch(1);
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == util::ErrorCode::protocol);
    CHECK(out.error().message ==
          "the control plane's answer to POST /api/import-batches/1/rollback is not its API (status 502): "
          "<html><head><title>502 Bad Gateway</title></head>");

    f.plane.answer(404, "404 page not found", "text/plain");
    auto nf = f.client.get_import_batch(1);
    REQUIRE_FALSE(nf.has_value());
    CHECK(nf.error().code == util::ErrorCode::protocol);
    CHECK(nf.error().message.find("(status 404): 404 page not found") != std::string::npos);

    f.plane.answer(200, "ok\n", "text/plain");
    auto garbage = f.client.rollback_batch(1);
    REQUIRE_FALSE(garbage.has_value());
    CHECK(garbage.error().code == util::ErrorCode::protocol);
    CHECK(garbage.error().message.find("(status 200): ok") != std::string::npos);

    f.plane.answer(200, R"({"batch_id": "seven"})");
    auto typed = f.client.rollback_batch(1);
    REQUIRE_FALSE(typed.has_value());
    CHECK(typed.error().code == util::ErrorCode::protocol);
    CHECK(typed.error().message == "rollback outcome: batch_id: must be an integer");
}

TEST_CASE("plane client: no answer is the transport's error naming the control plane") {
    auto http = probes::make_curl_transport();
    std::string url;
    {
        CannedPlane gone;  // a port that was just listening and is closed now
        url = gone.url();
    }
    PlaneClient client{*http,
                       PlaneClientOptions{url, "t", std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)}};
    auto h = client.health();
    REQUIRE_FALSE(h.has_value());
    CHECK(h.error().code == util::ErrorCode::connect_failed);
    CHECK(h.error().message.find("control plane " + url + ": GET /healthz") != std::string::npos);
}
