// The control plane's router: {name} segments, percent-decoding, 404 and 405 with Allow.
#include <catch2/catch.hpp>

#include "harness/serve/router.hpp"

using namespace crm::harness::serve;

namespace {

Route route(std::string method, std::string pattern) {
    return Route{std::move(method), std::move(pattern), "op", [](const ApiRequest&) -> ApiResult { return {}; }};
}

Router table() {
    return Router({route("GET", "/api/hosts"), route("POST", "/api/hosts"), route("GET", "/api/hosts/{hostID}"),
                   route("POST", "/api/hosts/{hostID}/probe"), route("GET", "/api/hosts/new"),
                   route("POST", "/api/providers/{providerID}/import")});
}

}  // namespace

TEST_CASE("serve router: {name} segments are matched and percent-decoded into params", "[serve][router]") {
    auto r = table();
    auto m = r.match("POST", "/api/hosts/h%2D1%20x/probe");
    REQUIRE(std::holds_alternative<RouteMatch>(m));
    const auto& rm = std::get<RouteMatch>(m);
    CHECK(rm.route->pattern == "/api/hosts/{hostID}/probe");
    CHECK(rm.params.at("hostID") == "h-1 x");
    auto p = r.match("POST", "/api/providers/deepseek/import");
    REQUIRE(std::holds_alternative<RouteMatch>(p));
    CHECK(std::get<RouteMatch>(p).params.at("providerID") == "deepseek");
}

TEST_CASE("serve router: a literal segment wins over a {name} segment", "[serve][router]") {
    auto r = table();
    auto m = r.match("GET", "/api/hosts/new");
    REQUIRE(std::holds_alternative<RouteMatch>(m));
    CHECK(std::get<RouteMatch>(m).route->pattern == "/api/hosts/new");
    CHECK(std::get<RouteMatch>(m).params.empty());
}

TEST_CASE("serve router: unknown paths are not found", "[serve][router]") {
    auto r = table();
    for (const char* path : {"/api/host", "/api/hosts/x/probe/more", "/", "", "api/hosts", "/api/hosts//probe",
                             "/api/hosts/%zz/probe", "/api/hosts/a%2Fb/probe", "/api/hosts/a%2/probe"}) {
        INFO(path);
        CHECK(std::holds_alternative<RouteNotFound>(r.match("POST", path)));
    }
}

TEST_CASE("serve router: a known path with another method is 405 with the allowed methods, sorted", "[serve][router]") {
    auto r = table();
    auto m = r.match("DELETE", "/api/hosts");
    REQUIRE(std::holds_alternative<MethodNotAllowed>(m));
    CHECK(std::get<MethodNotAllowed>(m).allow == std::vector<std::string>{"GET", "POST"});
    auto one = r.match("GET", "/api/hosts/h1/probe");
    REQUIRE(std::holds_alternative<MethodNotAllowed>(one));
    CHECK(std::get<MethodNotAllowed>(one).allow == std::vector<std::string>{"POST"});
}

TEST_CASE("serve router: registered() lists (method, pattern) in table order", "[serve][router]") {
    auto r = table();
    auto list = r.registered();
    REQUIRE(list.size() == 6);
    CHECK(list[0] == std::pair<std::string, std::string>{"GET", "/api/hosts"});
    CHECK(list[3] == std::pair<std::string, std::string>{"POST", "/api/hosts/{hostID}/probe"});
}

TEST_CASE("serve router: percent_decode refuses malformed escapes", "[serve][router]") {
    CHECK(percent_decode("a%41%62") == std::optional<std::string>("aAb"));
    CHECK(percent_decode("a+b") == std::optional<std::string>("a+b"));
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%4"));
    CHECK_FALSE(percent_decode("%g1"));
}
