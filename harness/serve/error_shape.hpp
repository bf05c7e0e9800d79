#pragma once
// The control plane's one error shape and the JSON body helper its handlers share.
//
// Contract:
// - error_body(e) is {"error":{"code": e.code, "message": e.message}}; the HTTP layer adds the
//   x-request-id header and scrubs the message before it leaves;
// - parse_json_body(req): the body parsed as JSON, or ApiError{400, "bad_json", message} naming
//   what is wrong (empty body, not JSON: the parser's reason and offset). Any JSON value is
//   accepted; checking that it is an object with the right fields is the handler's job
//   (400 invalid_input).
#include <expected>
#include <string>

#include "harness/serve/api_types.hpp"

namespace crm::harness::serve {

[[nodiscard]] json::value error_body(const ApiError& error);
[[nodiscard]] std::expected<json::value, ApiError> parse_json_body(const ApiRequest& request);

}  // namespace crm::harness::serve
