// docs/openapi.yaml against the routes a running control plane actually serves: the server's
// own registered list (its /api table from ControlPlane::routes() plus /healthz and /metrics),
// not a list written for the test.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "harness/serve/control_server.hpp"
#include "harness/serve/openapi_paths.hpp"
#include "harness/serve/plane_metrics.hpp"
#include "harness/serve/request_log.hpp"
#include "tests/component/harness/serve/plane_rig.hpp"
#include "util/files.hpp"

namespace serve = crm::harness::serve;

TEST_CASE("openapi parity: docs/openapi.yaml describes exactly the routes serve registers, with their operationIds",
          "[serve][openapi]") {
    auto rig = crm::test::PlaneRig::start();
    auto table = rig->plane->routes();

    serve::PlaneMetrics metrics;
    std::ostringstream log_text;
    serve::RequestLog log(log_text, serve::LogFormat::json, rig->secrets);
    auto token = serve::AdminToken::from_value("parity-test-token-0123456789", rig->secrets);
    REQUIRE(token);
    serve::ServeOptions options;
    options.port = 0;
    auto server = serve::ControlServer::start(options, table, std::move(*token),
                                              serve::ServerParts{*rig->plane, metrics, log, rig->secrets});
    REQUIRE(server);
    auto registered_list = (*server)->registered();
    (*server)->drain();
    const std::set<std::pair<std::string, std::string>> registered(registered_list.begin(), registered_list.end());
    REQUIRE(registered.size() == registered_list.size());  // no route registered twice
    REQUIRE(registered.contains({"GET", "/healthz"}));

    auto text = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/docs/openapi.yaml");
    REQUIRE(text);
    const auto described = serve::openapi_paths(*text);
    for (const auto& r : registered) {
        INFO("served but not in docs/openapi.yaml: " << r.first << " " << r.second);
        CHECK(described.contains(r));
    }
    for (const auto& d : described) {
        INFO("in docs/openapi.yaml but not served: " << d.first << " " << d.second);
        CHECK(registered.contains(d));
    }

    // The /api routes carry their operationId in the table; the document must use the same one.
    const auto ops = serve::openapi_operations(*text);
    for (const auto& r : table) {
        INFO(r.method << " " << r.pattern);
        auto it = std::ranges::find_if(ops, [&](const auto& o) { return o.method == r.method && o.path == r.pattern; });
        REQUIRE(it != ops.end());
        CHECK(it->operation_id == r.operation_id);
    }
}
