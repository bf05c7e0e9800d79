#pragma once
// The operations docs/openapi.yaml describes, and the fields of its component schemas, read from
// its text, so the control plane's route table and the engine's JSON can be compared with the
// API description (tests/component/harness/serve/openapi_parity_test.cpp,
// tests/unit/harness/serve/openapi_schemas_test.cpp).
//
// Contract: a line reader for the layout docs/openapi.yaml keeps, not a YAML parser:
// - operations are read only below the top-level `paths:` line, up to the next top-level key;
// - a path is a key at exactly two spaces of indent that starts with '/' (quotes allowed);
// - a method is one of OpenAPI's eight method keys at exactly four spaces below a path; other
//   keys at that depth (parameters, summary, ...) are not operations;
// - an operation's operationId is the `operationId:` key at exactly six spaces below its
//   method ("" when absent);
// - blank lines, comment lines and CR line ends are ignored.
// - a component schema is a key at four spaces under `components:` / `schemas:`; its fields are
//   the keys at eight spaces under its `properties:` (six spaces), its required fields the
//   `required:` list at six spaces, inline ([a, b]) or one `- name` per line at eight; nested
//   objects' fields are not its fields.
// A document laid out otherwise yields fewer operations or fields (none at all for another
// indent), which a parity check then reports as missing; nothing here fails.
#include <optional>
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

struct OpenApiSchemaFields {
    std::set<std::string> properties;
    std::set<std::string> required;
};

// The fields of components/schemas/<schema>; nullopt when the document has no such schema.
[[nodiscard]] std::optional<OpenApiSchemaFields> openapi_schema_fields(std::string_view text, std::string_view schema);

}  // namespace crm::harness::serve
