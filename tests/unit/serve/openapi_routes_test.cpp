#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/serve/openapi_paths.hpp"
#include "util/files.hpp"

using crm::harness::serve::openapi_operations;
using crm::harness::serve::openapi_paths;
using crm::harness::serve::OpenApiOperation;

namespace {

// The control plane's routes: method, pattern, operationId. Until the server's route table is
// linked here, this list is the design's; docs/openapi.yaml must describe exactly these.
const std::vector<OpenApiOperation> k_routes{
    {"GET", "/api/hosts", "listHosts"},
    {"POST", "/api/hosts", "createHost"},
    {"GET", "/api/hosts/{hostID}", "getHost"},
    {"POST", "/api/hosts/{hostID}/probe", "probeHost"},
    {"GET", "/api/packs", "listPacks"},
    {"POST", "/api/packs", "installPack"},
    {"GET", "/api/providers", "listProviders"},
    {"POST", "/api/providers/{providerID}/preview", "previewImport"},
    {"POST", "/api/providers/{providerID}/import", "importProvider"},
    {"GET", "/api/providers/{providerID}/import-batches", "listImportBatches"},
    {"POST", "/api/providers/{providerID}/access", "closeAccess"},
    {"GET", "/api/providers/{providerID}/access-status", "getAccessStatus"},
    {"POST", "/api/providers/{providerID}/reconcile", "reconcileProvider"},
    {"POST", "/api/import-batches/{batchID}/rollback", "rollbackBatch"},
    {"GET", "/api/import-batches/{batchID}", "getImportBatch"},
    {"GET", "/healthz", "healthz"},
    {"GET", "/metrics", "metrics"},
};

std::string document() {
    auto text = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/docs/openapi.yaml");
    REQUIRE(text);
    return *text;
}

std::string describe(const std::pair<std::string, std::string>& route) { return route.first + " " + route.second; }

}  // namespace

TEST_CASE("openapi paths: paths at two spaces and methods at four under paths:, other keys skipped", "[serve]") {
    const std::string text =
        "openapi: 3.1.0\n"
        "paths:\n"
        "  /api/hosts:\n"
        "    get:\n"
        "      operationId: listHosts\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "    post:\n"
        "      summary: no operationId here\n"
        "  # a comment between paths\n"
        "\n"
        "  '/api/hosts/{hostID}':\r\n"
        "    parameters:\r\n"
        "      - name: hostID\r\n"
        "    summary: one host\r\n"
        "    delete:\r\n"
        "      operationId: 'deleteHost'\r\n"
        "components:\n"
        "  /not-a-path:\n"
        "    get:\n"
        "      operationId: notAnOperation\n";
    auto ops = openapi_operations(text);
    const std::vector<OpenApiOperation> expected{
        {"GET", "/api/hosts", "listHosts"},
        {"POST", "/api/hosts", ""},
        {"DELETE", "/api/hosts/{hostID}", "deleteHost"},
    };
    CHECK(ops == expected);
    CHECK(openapi_paths(text) == std::set<std::pair<std::string, std::string>>{
                                     {"GET", "/api/hosts"}, {"POST", "/api/hosts"}, {"DELETE", "/api/hosts/{hostID}"}});
}

TEST_CASE("openapi paths: another indent or no paths: key yields no operations", "[serve]") {
    CHECK(openapi_paths("paths:\n   /api/hosts:\n      get:\n").empty());
    CHECK(openapi_paths("paths:\n    /api/hosts:\n        get:\n").empty());
    CHECK(openapi_paths("openapi: 3.1.0\n  /api/hosts:\n    get:\n").empty());
    CHECK(openapi_paths("").empty());
    // A method key with no path above it at two spaces is not an operation.
    CHECK(openapi_paths("paths:\n    get:\n").empty());
}

TEST_CASE("openapi routes: docs/openapi.yaml describes every control plane route and no other", "[serve]") {
    auto described = openapi_paths(document());
    std::set<std::pair<std::string, std::string>> routes;
    for (const auto& r : k_routes) routes.emplace(r.method, r.path);
    REQUIRE(routes.size() == k_routes.size());
    for (const auto& r : routes) {
        INFO("route not in docs/openapi.yaml: " << describe(r));
        CHECK(described.contains(r));
    }
    for (const auto& d : described) {
        INFO("docs/openapi.yaml describes a route the server does not have: " << describe(d));
        CHECK(routes.contains(d));
    }
}

TEST_CASE("openapi routes: each route's operationId in docs/openapi.yaml is the route table's", "[serve]") {
    auto ops = openapi_operations(document());
    REQUIRE(ops.size() == k_routes.size());
    for (const auto& r : k_routes) {
        INFO(r.method << " " << r.path);
        auto same_route = [&](const OpenApiOperation& o) { return o.method == r.method && o.path == r.path; };
        auto it = std::ranges::find_if(ops, same_route);
        REQUIRE(it != ops.end());
        CHECK(it->operation_id == r.operation_id);
    }
}
