// serve's small parsers: Go durations, --listen, JSON bodies, and its log lines.
#include <catch2/catch.hpp>
#include <sstream>

#include "harness/serve/control_server.hpp"
#include "harness/serve/error_shape.hpp"
#include "harness/serve/request_log.hpp"

using namespace crm::harness::serve;
using namespace std::chrono_literals;

TEST_CASE("serve flags: --listen HOST:PORT", "[serve][flags]") {
    CHECK(parse_listen("127.0.0.1:8080").value() == std::make_pair(std::string("127.0.0.1"), std::uint16_t{8080}));
    CHECK(parse_listen(":0").value() == std::make_pair(std::string("127.0.0.1"), std::uint16_t{0}));
    CHECK(parse_listen("[::1]:9").value() == std::make_pair(std::string("::1"), std::uint16_t{9}));
    for (const char* bad : {"", "8080", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x1", "localhost:80"}) {
        INFO(bad);
        auto r = parse_listen(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("--listen") != std::string::npos);
    }
}

TEST_CASE("serve error shape: bad JSON bodies are 400 bad_json", "[serve][errors]") {
    ApiRequest req;
    req.body = R"({"a":1})";
    CHECK(parse_json_body(req).value().at("a").as_int64() == 1);
    for (const char* bad : {"", "  ", "{", "nope", R"({"a":1} x)"}) {
        INFO(bad);
        req.body = bad;
        auto r = parse_json_body(req);
        REQUIRE_FALSE(r);
        CHECK(r.error().status == 400);
        CHECK(r.error().code == "bad_json");
    }
    CHECK(boost::json::serialize(error_body(ApiError{404, "not_found", "no host h1"})) ==
          R"({"error":{"code":"not_found","message":"no host h1"}})");
}

TEST_CASE("serve log: json lines are one object with ts, level, msg and fields, scrubbed", "[serve][log]") {
    crm::util::SecretRegistry secrets;
    secrets.add("super-secret-token-value");
    std::ostringstream out;
    RequestLog log(out, LogFormat::json, secrets);
    log.write("info", "request", {{"path", "/x/super-secret-token-value"}, {"status", 200}});
    const auto line = out.str();
    REQUIRE(line.back() == '\n');
    CHECK(line.find("super-secret-token-value") == std::string::npos);
    auto v = boost::json::parse(line);
    CHECK(v.at("level") == "info");
    CHECK(v.at("msg") == "request");
    CHECK(v.at("status").as_int64() == 200);
    CHECK(v.at("ts").as_string().size() == 24);
}

TEST_CASE("serve log: text lines quote values with spaces", "[serve][log]") {
    crm::util::SecretRegistry secrets;
    std::ostringstream out;
    RequestLog log(out, LogFormat::text, secrets);
    log.write("warn", "draining", {{"why", "two words"}, {"n", 3}});
    CHECK(out.str().find(R"( warn draining why="two words" n=3)") != std::string::npos);
}
