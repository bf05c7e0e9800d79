#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/serve/openapi_paths.hpp"

using crm::harness::serve::openapi_operations;
using crm::harness::serve::openapi_paths;
using crm::harness::serve::OpenApiOperation;

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

// Whether docs/openapi.yaml matches the routes the server registers is a component test
// (tests/component/harness/serve/openapi_parity_test.cpp): it needs a running control plane.
