#pragma once
// Test rig for control-plane component tests: the engine rig's stub host and state file, the
// stub pack written into a --pack-dir, a ControlPlane over them, and calls to its handlers by
// operationId (no HTTP: the server has its own tests).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "harness/serve/control_plane.hpp"
#include "tests/component/engine/engine_rig.hpp"
#include "util/json.hpp"

namespace crm::test {

namespace json = boost::json;

// Records what the control plane reports, as "operation:outcome" lines.
class RecordingEvents final : public harness::serve::PlaneEvents {
  public:
    void engine_operation(std::string_view operation, std::string_view outcome) override {
        std::lock_guard lock(m_mutex);
        m_lines.push_back(std::string(operation) + ":" + std::string(outcome));
    }
    void reconcile_run(std::string_view trigger, std::string_view result, std::size_t drift_items) override {
        std::lock_guard lock(m_mutex);
        m_lines.push_back("reconcile_run:" + std::string(trigger) + ":" + std::string(result) + ":" +
                          std::to_string(drift_items));
    }
    void worker_skip(std::string_view reason) override {
        std::lock_guard lock(m_mutex);
        m_lines.push_back("skip:" + std::string(reason));
    }
    [[nodiscard]] std::size_t count(const std::string& line) const {
        std::lock_guard lock(m_mutex);
        return static_cast<std::size_t>(std::count(m_lines.begin(), m_lines.end(), line));
    }

  private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_lines;
};

struct PlaneRig {
    std::unique_ptr<EngineRig> engine_rig;
    std::unique_ptr<probes::HttpTransport> http = probes::make_curl_transport();
    util::SecretRegistry secrets;
    RecordingEvents events;
    std::unique_ptr<harness::serve::ControlPlane> plane;
    std::map<std::string, harness::serve::Route> routes;  // by operationId

    static std::unique_ptr<PlaneRig> start(bool worker = false,
                                           std::chrono::milliseconds interval = std::chrono::hours(1)) {
        auto rig = std::make_unique<PlaneRig>();
        rig->engine_rig = EngineRig::start("healthy");
        auto& er = *rig->engine_rig;
        er.env_values["ADMIN_KEY"] = er.cluster->endpoints().admin_api_key;
        auto pack_dir = er.db_path.parent_path() / "packs";
        std::filesystem::create_directories(pack_dir);
        std::ofstream(pack_dir / "stub-pack.json") << stub_pack_json();
        harness::serve::ControlPlaneOptions o{er.db_path, pack_dir, er.env(), worker, interval};
        auto p = harness::serve::ControlPlane::open(o, *rig->http, rig->secrets, rig->events);
        if (!p) throw std::runtime_error("control plane: " + p.error().describe());
        rig->plane = std::move(*p);
        for (auto& r : rig->plane->routes()) rig->routes[r.operation_id] = r;
        return rig;
    }

    harness::serve::ApiResult call(const std::string& operation_id, std::map<std::string, std::string> params = {},
                                   std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {},
                                   std::map<std::string, std::string> query = {}) {
        const auto& route = routes.at(operation_id);
        harness::serve::ApiRequest req;
        req.method = route.method;
        req.path = route.pattern;
        for (const auto& [k, v] : params) {
            auto at = req.path.find("{" + k + "}");
            if (at != std::string::npos) req.path.replace(at, k.size() + 2, v);
        }
        req.params = std::move(params);
        req.query = std::move(query);
        req.headers = std::move(headers);
        req.body = std::move(body);
        req.request_id = "test";
        return route.handler(req);
    }

    // A 2xx answer's body; fails the test otherwise.
    json::value ok(const harness::serve::ApiResult& r, int status) {
        if (!r) FAIL_CHECK(r.error().code + ": " + r.error().message);
        REQUIRE(r);
        INFO(json::serialize(r->body));
        REQUIRE(r->status == status);
        return r->body;
    }

    // The error's status and code.
    static std::pair<int, std::string> err(const harness::serve::ApiResult& r) {
        if (r) return {r->status, "no error: " + json::serialize(r->body)};
        return {r.error().status, r.error().code};
    }

    std::int64_t create_host() {
        auto body = json::serialize(json::object{{"name", "stub"},
                                                 {"url", engine_rig->cluster->endpoints().host_url},
                                                 {"admin_key_env", "ADMIN_KEY"},
                                                 {"accept_compliance", true}});
        auto host = ok(call("createHost", {}, body), 201);
        return host.at("host").at("id").as_int64();
    }

    void install_pack() { ok(call("installPack", {}, R"({"pack_id":"stub-pack"})"), 201); }

    std::int64_t import(std::int64_t host_id, const std::string& modes = R"(["self_service"])") {
        auto out = ok(call("importProvider", {{"providerID", "deepseek"}},
                           R"({"host_id":)" + std::to_string(host_id) + R"(,"modes":)" + modes + "}"),
                      201);
        REQUIRE(out.at("batch_status") == "succeeded");
        return out.at("batch_id").as_int64();
    }
};

}  // namespace crm::test
