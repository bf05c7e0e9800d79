#pragma once
// Reading a request body and its query, field by field, for the control plane's handlers. Every
// refusal is an ApiError that names the field: 400 bad_json when the body is not JSON, 400
// invalid_input for a body that is not an object, an unknown field (named, with the known ones)
// or a field of the wrong type or shape.
//
// Contract: an empty body reads as {} (POSTs whose fields are all optional need none); values
// returned are copies.
#include <cstdint>
#include <expected>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/serve/api_types.hpp"

namespace crm::harness::serve {

template <class T>
using Checked = std::expected<T, ApiError>;

[[nodiscard]] ApiError invalid_input(std::string message);

// The body as an object whose field names are all in `known`.
[[nodiscard]] Checked<json::object> read_body(std::string_view body, std::initializer_list<std::string_view> known);

// One field of `object`, addressed as `where` (e.g. "user.email") in messages. Optional readers
// return nullopt when the field is absent or null; required ones refuse that.
[[nodiscard]] Checked<std::optional<std::string>> opt_string(const json::object& object, std::string_view field,
                                                             std::string_view where = {});
[[nodiscard]] Checked<std::string> req_string(const json::object& object, std::string_view field,
                                              std::string_view where = {});
[[nodiscard]] Checked<std::optional<bool>> opt_bool(const json::object& object, std::string_view field);
// A positive integer (host and batch ids).
[[nodiscard]] Checked<std::optional<std::int64_t>> opt_id(const json::object& object, std::string_view field);
[[nodiscard]] Checked<std::optional<std::vector<std::string>>> opt_strings(const json::object& object,
                                                                           std::string_view field);
[[nodiscard]] Checked<std::optional<json::object>> opt_object(const json::object& object, std::string_view field);

// A positive integer in text (a path parameter or a query value) named `what` in messages.
[[nodiscard]] Checked<std::int64_t> parse_id(std::string_view text, std::string_view what);
// The query's parameters are all in `known`.
[[nodiscard]] Checked<void> check_query(const std::map<std::string, std::string>& query,
                                        std::initializer_list<std::string_view> known);
// A `*_env` field names a variable of the server's environment whose value the engine sends to a
// host. The control plane's own settings (SUB2API_CRM_*, its token among them) are never such a
// variable: 400 naming the field, so a token holder cannot have the token sent to a URL of theirs.
[[nodiscard]] Checked<void> usable_secret_variable(std::string_view field, std::string_view name);
// The optional ?host_id= of a listing.
[[nodiscard]] Checked<std::optional<std::int64_t>> query_host_id(const std::map<std::string, std::string>& query);

}  // namespace crm::harness::serve
