// Prometheus text format pieces and the control plane's metric families.
#include <catch2/catch.hpp>
#include <sstream>

#include "harness/serve/plane_metrics.hpp"
#include "harness/serve/prometheus_text.hpp"

using namespace crm::harness::serve;
using namespace std::chrono_literals;

TEST_CASE("serve prometheus: label values escape backslash, quote and newline only", "[serve][metrics]") {
    CHECK(escape_label_value(R"(a\b"c)"
                             "\n"
                             "d\té") == R"(a\\b\"c\nd)"
                                        "\t"
                                        "é");
    CHECK(format_labels({}) == "");
    CHECK(format_labels({{"route", "/api/hosts/{hostID}"}, {"status", "200"}}) ==
          R"({route="/api/hosts/{hostID}",status="200"})");
}

TEST_CASE("serve prometheus: values render as the format expects", "[serve][metrics]") {
    CHECK(format_value(0) == "0");
    CHECK(format_value(42) == "42");
    CHECK(format_value(0.25) == "0.25");
    CHECK(format_value(1.0 / 0.0) == "+Inf");
    CHECK(format_value(-1.0 / 0.0) == "-Inf");
}

TEST_CASE("serve prometheus: HELP and TYPE lines precede a family", "[serve][metrics]") {
    std::string out;
    write_family_header(out, "x_total", "line\\one\nline two", "counter");
    CHECK(out == "# HELP x_total line\\\\one\\nline two\n# TYPE x_total counter\n");
}

TEST_CASE("serve metrics: request counters by route pattern and a cumulative histogram", "[serve][metrics]") {
    PlaneMetrics m;
    m.http_request("/api/hosts/{hostID}", "GET", 200, 2ms);
    m.http_request("/api/hosts/{hostID}", "GET", 200, 40ms);
    m.http_request("/api/hosts/{hostID}", "GET", 404, 2s);
    m.http_request("unmatched", "GET", 404, 100s);
    m.engine_operation("import", "succeeded");
    m.reconcile_run("worker", "drifted", 3);
    m.reconcile_run("api", "in_sync", 0);
    m.worker_skip("host_busy");
    const auto text = m.render();
    CHECK(text.find(R"(crm_http_requests_total{route="/api/hosts/{hostID}",method="GET",status="200"} 2)") !=
          std::string::npos);
    CHECK(text.find(R"(crm_http_requests_total{route="unmatched",method="GET",status="404"} 1)") != std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_bucket{route="/api/hosts/{hostID}",le="0.0025"} 1)") !=
          std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_bucket{route="/api/hosts/{hostID}",le="0.05"} 2)") !=
          std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_bucket{route="/api/hosts/{hostID}",le="5"} 3)") !=
          std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_bucket{route="unmatched",le="30"} 0)") != std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_bucket{route="unmatched",le="+Inf"} 1)") != std::string::npos);
    CHECK(text.find(R"(crm_http_request_duration_seconds_count{route="unmatched"} 1)") != std::string::npos);
    CHECK(text.find(R"(crm_engine_operations_total{operation="import",outcome="succeeded"} 1)") != std::string::npos);
    CHECK(text.find(R"(crm_reconcile_runs_total{trigger="worker",result="drifted"} 1)") != std::string::npos);
    CHECK(text.find("crm_reconcile_drift_items_total 3\n") != std::string::npos);
    CHECK(text.find(R"(crm_reconcile_worker_skips_total{reason="host_busy"} 1)") != std::string::npos);
    CHECK(text.find("# TYPE crm_http_request_duration_seconds histogram\n") != std::string::npos);
    CHECK(text.find("# TYPE process_start_time_seconds gauge\n") != std::string::npos);
}
