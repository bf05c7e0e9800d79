// /healthz, /metrics and the request log of the control plane's HTTP layer.
#include <regex>

#include "tests/component/harness/serve/serve_fixture.hpp"

using namespace crm::serve_test;

namespace {

// Every line of a text exposition: a comment (# HELP / # TYPE) or `name{labels} value`, with
// each sample's family announced by a TYPE line before it. Returns the families by name -> type.
std::map<std::string, std::string> parse_exposition(const std::string& text) {
    static const std::regex sample(
        R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (\S+))re");
    static const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    std::map<std::string, std::string> types;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        INFO(line);
        std::smatch m;
        if (line.rfind("# HELP ", 0) == 0) continue;
        if (std::regex_match(line, m, type_line)) {
            CHECK_FALSE(types.contains(m[1]));
            types[m[1]] = m[2];
            continue;
        }
        REQUIRE(std::regex_match(line, m, sample));
        std::string name = m[1];
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            if (!types.contains(name) && name.size() > s.size() && name.ends_with(s)) {
                name = name.substr(0, name.size() - s.size());
            }
        }
        CHECK(types.contains(name));
    }
    return types;
}

std::vector<double> buckets_of(const std::string& text, const std::string& route) {
    std::vector<double> out;
    std::istringstream in(text);
    const std::string prefix = "crm_http_request_duration_seconds_bucket{route=\"" + route + "\",le=";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) == 0) out.push_back(std::stod(line.substr(line.rfind(' ') + 1)));
    }
    return out;
}

}  // namespace

TEST_CASE("serve observability: /healthz is open, 200 ok or 503 degraded with the health", "[serve][health]") {
    ServeRig rig;
    auto ok = rig.call("GET", "/healthz", {}, std::nullopt);
    REQUIRE(ok.status == 200);
    CHECK(body_json(ok).at("status") == "ok");
    CHECK(body_json(ok).at("store") == "ok");
    CHECK(body_json(ok).at("worker").at("enabled") == false);
    rig.health.set_store("cannot open engine.db: disk I/O error");
    auto bad = rig.call("GET", "/healthz", {}, std::nullopt);
    REQUIRE(bad.status == 503);
    CHECK(body_json(bad).at("status") == "degraded");
    CHECK(body_json(bad).at("store") == "cannot open engine.db: disk I/O error");
}

TEST_CASE("serve observability: /metrics needs the token unless public, and parses", "[serve][metrics]") {
    ServeRig rig;
    check_error_shape(rig.call("GET", "/metrics", {}, std::nullopt), 401, "unauthorized");
    (void)rig.call("GET", "/api/items/a");
    (void)rig.call("GET", "/api/items/b");
    (void)rig.call("GET", "/api/nothing");
    // Any token is an HTTP method; the label is one of a fixed set, so these are one series.
    for (const char* method : {"BREW", "WHEN", "XYZZY"}) {
        auto got =
            raw_exchange(rig.server->port(), std::string(method) + " /api/items HTTP/1.1\r\nHost: x\r\n\r\n", true);
        CHECK(got.rfind("HTTP/1.1 401", 0) == 0);
    }
    rig.metrics.engine_operation("import", "succeeded");
    rig.metrics.worker_skip("host \"busy\"\nnow");
    auto m = rig.call("GET", "/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.header("content-type") == std::optional<std::string>("text/plain; version=0.0.4; charset=utf-8"));
    auto types = parse_exposition(m.body);
    CHECK(types["crm_http_requests_total"] == "counter");
    CHECK(types["crm_http_request_duration_seconds"] == "histogram");
    CHECK(types["crm_http_in_flight"] == "gauge");
    CHECK(types["crm_engine_operations_total"] == "counter");
    CHECK(types["crm_reconcile_runs_total"] == "counter");
    CHECK(types["crm_reconcile_drift_items_total"] == "counter");
    CHECK(types["crm_reconcile_worker_skips_total"] == "counter");
    CHECK(types["process_start_time_seconds"] == "gauge");
    // Route patterns, not raw paths: two item ids are one series.
    CHECK(m.body.find(R"(crm_http_requests_total{route="/api/items/{itemID}",method="GET",status="200"} 2)") !=
          std::string::npos);
    CHECK(m.body.find(R"(crm_http_requests_total{route="unmatched",method="GET",status="404"} 1)") !=
          std::string::npos);
    CHECK(m.body.find("/api/items/a") == std::string::npos);
    CHECK(m.body.find(R"(method="OTHER",status="401"} 3)") != std::string::npos);
    CHECK(m.body.find("BREW") == std::string::npos);
    CHECK(m.body.find(R"(crm_reconcile_worker_skips_total{reason="host \"busy\"\nnow"} 1)") != std::string::npos);
    auto buckets = buckets_of(m.body, "/api/items/{itemID}");
    REQUIRE(buckets.size() == crm::harness::serve::k_duration_buckets.size() + 1);
    CHECK(std::is_sorted(buckets.begin(), buckets.end()));
    CHECK(buckets.back() == 2);
}

TEST_CASE("serve observability: /metrics is open with metrics_public", "[serve][metrics]") {
    crm::harness::serve::ServeOptions options;
    options.metrics_public = true;
    ServeRig rig(options);
    CHECK(rig.call("GET", "/metrics", {}, std::nullopt).status == 200);
    check_error_shape(rig.call("GET", "/api/items", {}, std::nullopt), 401, "unauthorized");
}

TEST_CASE("serve observability: one JSON log line per request, never the token", "[serve][log]") {
    ServeRig rig;
    (void)rig.call("GET", "/api/items/x", {}, k_token, {{"x-request-id", "log-test-1"}});
    (void)rig.call("GET", "/api/items", {}, "a-wrong-token-that-is-long-enough");
    (void)rig.call("GET", "/api/items/" + k_token);  // a token in a path is scrubbed too
    rig.server->drain();
    auto lines = rig.sink.lines();
    REQUIRE(lines.size() == 3);
    bool found = false;
    for (const auto& line : lines) {
        INFO(line);
        CHECK(line.find(k_token) == std::string::npos);
        auto v = json::parse(line);
        for (const char* key :
             {"ts", "level", "msg", "request_id", "method", "route", "path", "status", "duration_ms", "bytes"}) {
            CHECK(v.as_object().contains(key));
        }
        if (v.at("request_id") == "log-test-1") {
            found = true;
            CHECK(v.at("route") == "/api/items/{itemID}");
            CHECK(v.at("path") == "/api/items/x");
            CHECK(v.at("status").as_int64() == 200);
        }
    }
    CHECK(found);
}
