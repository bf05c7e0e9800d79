#include "util/json.hpp"

#include <catch2/catch.hpp>

using namespace crm::util;

TEST_CASE("json: relaxed parsing accepts comments and trailing commas", "[util]") {
    auto v = parse_json_relaxed("{\n // c\n \"a\": [1,2,],\n}", "s.json");
    REQUIRE(v);
    CHECK(v->at("a").as_array().size() == 2);
}

TEST_CASE("json: strict parsing rejects comments with file:line:col", "[util]") {
    auto v = parse_json("{\n \"a\": 1,\n // no\n}", "p.json");
    REQUIRE_FALSE(v);
    CHECK(v.error().message.rfind("p.json:3:", 0) == 0);
}

TEST_CASE("json: trailing garbage is an error", "[util]") { CHECK_FALSE(parse_json("{} x", "t")); }

TEST_CASE("json: find_path walks dotted paths", "[util]") {
    auto v = parse_json(R"({"error":{"code":"x","n":3}})", "t");
    REQUIRE(v);
    REQUIRE(find_path(*v, "error.code"));
    CHECK(get_int(*find_path(*v, "error"), "n") == 3);
    CHECK(find_path(*v, "error.missing") == nullptr);
}

TEST_CASE("json: pretty output is stable and ends with a newline", "[util]") {
    auto v = parse_json(R"({"b":1,"a":[true,null],"c":{}})", "t");
    REQUIRE(v);
    CHECK(pretty(*v) == "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null\n  ],\n  \"c\": {}\n}\n");
}

TEST_CASE("json: get_int rejects out-of-range and fractional doubles", "[util]") {
    auto v = parse_json(R"({"big":1e300,"half":2.5,"whole":3.0,"nan":-1e19})", "t");
    REQUIRE(v);
    CHECK_FALSE(get_int(*v, "big"));
    CHECK_FALSE(get_int(*v, "half"));
    CHECK_FALSE(get_int(*v, "nan"));
    CHECK(get_int(*v, "whole") == 3);
}
