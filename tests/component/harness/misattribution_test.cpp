// Misattribution over loopback: real fake servers that answer HTTP 200 with something that is not
// what was asked (a web page), run through the real cell pipeline. A 200 is not a success by its
// status, and a URL that does not speak sub2api is not an admin-key problem (docs/CAUSES.md,
// "Choices that are not obvious").
#include <catch2/catch.hpp>
#include <filesystem>

#include "stubs/http/http_server.hpp"
#include "stubs/stub_cluster.hpp"
#include "tests/component/harness/one_cell.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_page = "<!doctype html><html><body>It works!</body></html>";

// Answers every request with HTTP 200 and a web page: a default vhost, a captive portal.
std::unique_ptr<stubs::HttpServer> start_web_page() {
    auto s = stubs::HttpServer::start(
        0,
        [](const stubs::Request&) {
            stubs::Response r;
            r.content_type = "text/html";
            r.body = k_page;
            return r;
        },
        1 << 20);
    REQUIRE(s.has_value());
    return std::move(*s);
}

struct Outcome {
    std::string cause;
    std::string rule_id;
    std::string explanation;
};

// One self_service cell of cn-core/deepseek against `host_url` (the stub cluster's host unless
// overridden), with the deepseek upstream at `upstream_url` (the stub upstream unless overridden).
Outcome run_cell(const std::string& host_url_override, const std::string& upstream_url_override) {
    const fs::path dir = fs::temp_directory_path() / ("crm-misattribution-" + util::random_hex(5));
    fs::create_directories(dir);
    stubs::StubOptions o;
    o.upstreams.push_back({"deepseek", "deepseek", "healthy"});
    auto c = stubs::StubCluster::start(o);
    REQUIRE(c.has_value());
    auto cluster = std::move(*c);
    test::OneCellOptions opt;
    opt.dir = dir;
    opt.host_url = host_url_override;
    opt.upstream_url = upstream_url_override;
    opt.idle = std::chrono::milliseconds(5000);
    auto r = test::run_one_cell(cluster->endpoints(), opt).report;
    cluster->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return Outcome{std::string(crm::harness::classify::to_string(r.classification.cause)), r.classification.rule_id,
                   r.classification.explanation};
}

}  // namespace

TEST_CASE("misattribution: an upstream answering 200 with a web page is upstream_unavailable, not a host gap") {
    auto page = start_web_page();
    auto o = run_cell("", "http://127.0.0.1:" + std::to_string(page->port()));
    page->stop();
    INFO("rule " << o.rule_id << ": " << o.explanation);
    CHECK(o.cause == "upstream_unavailable");
    CHECK(o.explanation.find("answers the same request directly") == std::string::npos);
    CHECK(o.explanation.find("It works!") != std::string::npos);
    CHECK(o.explanation.find("not observed") == std::string::npos);
}

TEST_CASE("misattribution: a host URL whose admin API answers 200 with a web page is not host_admin_rejected") {
    auto page = start_web_page();
    auto o = run_cell("http://127.0.0.1:" + std::to_string(page->port()), "");
    page->stop();
    INFO("rule " << o.rule_id << ": " << o.explanation);
    CHECK(o.cause == "host_unreachable");
    CHECK(o.rule_id == "host-not-sub2api");
    CHECK(o.explanation.find("not as a sub2api admin API") != std::string::npos);
    CHECK(o.explanation.find("non-JSON body") != std::string::npos);
    CHECK(o.explanation.find("admin key/JWT") == std::string::npos);
}
