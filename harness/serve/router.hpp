#pragma once
// Matches a request's method and path against the control plane's route table.
//
// Contract:
// - patterns are literal segments and {name} segments ("/api/hosts/{hostID}/probe"); a {name}
//   segment matches one non-empty path segment, which is percent-decoded into params[name];
//   literal segments compare exactly against the raw (undecoded) path;
// - a path no pattern matches is `not_found` (404 route_not_found); a path some pattern matches
//   but not with this method is `method_not_allowed` (405) with the methods that would match,
//   sorted, for the Allow header;
// - a segment whose percent-encoding is malformed ("%zz") or decodes to a '/' or NUL matches no
//   {name} (so it ends in 404, never in a handler with a surprising parameter);
// - literal routes win over {name} routes in the same position when both match
//   (/api/hosts/new before /api/hosts/{hostID}); otherwise table order.
// The router borrows nothing: it copies the table.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/serve/api_types.hpp"

namespace crm::harness::serve {

struct RouteMatch {
    const Route* route = nullptr;  // points into the Router's own table
    std::map<std::string, std::string> params;
};
struct RouteNotFound {};
struct MethodNotAllowed {
    std::vector<std::string> allow;  // sorted, unique
};
using RouteLookup = std::variant<RouteMatch, RouteNotFound, MethodNotAllowed>;

// "%41b" -> "Ab"; nullopt for a malformed escape. '+' stays '+' (paths, not forms).
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);

class Router {
  public:
    explicit Router(std::vector<Route> routes);
    [[nodiscard]] RouteLookup match(std::string_view method, std::string_view path) const;
    // (method, pattern) of every registered route, in table order (OpenAPI parity checks).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> registered() const;

  private:
    struct Compiled {
        std::vector<std::string> segments;  // "{name}" kept as is
        std::size_t literal_count = 0;
    };
    std::vector<Route> m_routes;
    std::vector<Compiled> m_compiled;
};

// (method, pattern) of every route in `routes`, in order; the same list Router::registered gives.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> route_list(const std::vector<Route>& routes);

}  // namespace crm::harness::serve
