#pragma once
// The control plane's request and response values (docs/CONTROL-PLANE.md), shared by the HTTP
// layer (server, router, auth, metrics, logs) and the route handlers over the engine.
//
// Contract:
// - a handler sees an ApiRequest whose path parameters are already matched and decoded, and
//   whose caller is already authenticated; it never sees the Authorization header's value;
// - a handler returns an ApiResponse (any status, a JSON body) or an ApiError; the HTTP layer
//   turns an ApiError into the one error shape {"error":{"code","message"}} with its status;
// - every body and message is secret-free: handlers register secrets they learn in the
//   server's SecretRegistry, and the HTTP layer scrubs bodies and log lines with it.
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.hpp"

namespace crm::harness::serve {

namespace json = boost::json;

struct ApiRequest {
    std::string method;                                        // "GET", "POST"
    std::string path;                                          // without query
    std::map<std::string, std::string> params;                 // path parameters by name, e.g. "hostID"
    std::map<std::string, std::string> query;                  // percent-decoded
    std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names; no authorization
    std::string body;                                          // raw; handlers parse it (bad JSON: 400)
    std::string request_id;                                    // for log lines and error bodies
    [[nodiscard]] std::optional<std::string> header(std::string_view lower_name) const {
        for (const auto& [k, v] : headers) {
            if (k == lower_name) return v;
        }
        return std::nullopt;
    }
};

struct ApiResponse {
    int status = 200;
    json::value body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. location)
};

struct ApiError {
    int status = 500;
    std::string code;     // stable, snake_case: bad_json, invalid_input, not_found, conflict, ...
    std::string message;  // one line, secret-free
};

using ApiResult = std::expected<ApiResponse, ApiError>;
using ApiHandler = std::function<ApiResult(const ApiRequest&)>;

// One route of the API. `pattern` uses {name} segments ("/api/hosts/{hostID}/probe").
// `operation_id` is the route's operationId in docs/openapi.yaml.
struct Route {
    std::string method;
    std::string pattern;
    std::string operation_id;
    ApiHandler handler;
};

}  // namespace crm::harness::serve
