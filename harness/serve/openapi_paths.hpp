#pragma once
// The operations docs/openapi.yaml describes, read from its text, so the control plane's route
// table and its API description can be compared (tests/unit/serve/openapi_routes_test.cpp).
//
// Contract: a line reader for the layout docs/openapi.yaml keeps, not a YAML parser:
// - operations are read only below the top-level `paths:` line, up to the next top-level key;
// - a path is a key at exactly two spaces of indent that starts with '/' (quotes allowed);
// - a method is one of OpenAPI's eight method keys at exactly four spaces below a path; other
//   keys at that depth (parameters, summary, ...) are not operations;
// - an operation's operationId is the `operationId:` key at exactly six spaces below its
//   method ("" when absent);
// - blank lines, comment lines and CR line ends are ignored.
// A document laid out otherwise yields fewer operations (none at all for another indent), which
// a parity check then reports as missing routes; nothing here fails.
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::harness::serve {

struct OpenApiOperation {
    std::string method;        // upper case, as in Route::method: "GET", "POST"
    std::string path;          // as written: "/api/hosts/{hostID}"
    std::string operation_id;  // "" when the document gives none
    friend bool operator==(const OpenApiOperation&, const OpenApiOperation&) = default;
};

// Every operation in document order.
[[nodiscard]] std::vector<OpenApiOperation> openapi_operations(std::string_view text);

// The (method, path) pairs of openapi_operations(text).
[[nodiscard]] std::set<std::pair<std::string, std::string>> openapi_paths(std::string_view text);

}  // namespace crm::harness::serve
