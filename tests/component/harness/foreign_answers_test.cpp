// Answers the harness did not write, at every step of the cell pipeline: the stub host is made to
// answer one step's routes the way real deployments do when something is in the way — nginx's
// HTML 502/504 from a reverse proxy, Gin's text/plain "404 page not found" for a route the host
// does not have — from that step on. Each run goes through the real pipeline; the cause must be
// sensible, its explanation (or a note) must quote what the host answered, and the finished
// bundle must pass `verify` (valid UTF-8 JSON only, manifest, no secrets).
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "stubs/stub_cluster.hpp"
#include "tests/component/harness/one_cell.hpp"
#include "tests/component/probes/loopback_server.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm;
namespace fs = std::filesystem;

namespace {

using Proxy = std::map<std::string, int>;

const std::vector<std::string> k_admin_reads = {"GET /api/v1/admin/groups",
                                                "GET /api/v1/admin/groups/:id",
                                                "GET /api/v1/admin/accounts",
                                                "GET /api/v1/admin/accounts/:id",
                                                "GET /api/v1/admin/channels",
                                                "GET /api/v1/admin/channels/:id",
                                                "GET /api/v1/admin/users",
                                                "GET /api/v1/admin/users/:id",
                                                "GET /api/v1/admin/subscriptions",
                                                "GET /api/v1/admin/subscriptions/:id",
                                                "GET /api/v1/admin/users/:id/api-keys",
                                                "GET /api/v1/admin/users/:id/subscriptions",
                                                "GET /api/v1/admin/groups/all"};

Proxy all_of(const std::vector<std::string>& routes, int status) {
    Proxy p;
    for (const auto& r : routes) p[r] = status;
    return p;
}

// From step `arm_at` on (until `clear_at`, 0 = never) the host answers with these faults.
struct StepFault {
    int arm_at = 1;
    int clear_at = 0;
    Proxy proxy;
    std::vector<std::string> missing;
};

struct Outcome {
    std::string cause, rule_id, explanation;
    std::vector<std::string> notes;
    bool finished = false;
    bool verify_clean = false;
    std::string verify_text;
    std::string summary_md;
};

Outcome run_with(const StepFault& f, stubs::StubOptions o = {}, const std::string& host_url = "") {
    const fs::path dir = fs::temp_directory_path() / ("crm-foreign-" + util::random_hex(5));
    fs::create_directories(dir);
    o.upstreams = {{"deepseek", "deepseek", "healthy"}};
    auto c = stubs::StubCluster::start(o);
    REQUIRE(c.has_value());
    auto cluster = std::move(*c);
    test::OneCellOptions opt;
    opt.dir = dir;
    opt.host_url = host_url;
    opt.idle = std::chrono::milliseconds(5000);
    opt.finalize = true;
    opt.before_step = [&](int step) {
        if (step == f.arm_at) cluster->set_route_faults(f.missing, f.proxy);
        if (step == f.clear_at) cluster->set_route_faults({}, {});
    };
    auto r = test::run_one_cell(cluster->endpoints(), opt);
    cluster->stop();
    Outcome out{std::string(crm::harness::classify::to_string(r.report.classification.cause)),
                r.report.classification.rule_id,
                r.report.classification.explanation,
                r.report.classification.notes,
                r.report.finished,
                false,
                {},
                {}};
    if (r.verified) {
        out.verify_clean = r.verified->clean();
        out.verify_text = harness::evidence::describe(*r.verified);
    }
    for (const auto& e : fs::recursive_directory_iterator(r.bundle_dir))
        if (e.path().filename() == "21-summary.md") out.summary_md = util::read_file(e.path()).value_or("");
    std::error_code ec;
    fs::remove_all(dir, ec);
    return out;
}

bool quotes(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::string joined(const std::vector<std::string>& notes) {
    std::string all;
    for (const auto& n : notes) all += n + "\n";
    return all;
}

void expect(const Outcome& o, const std::string& cause, const std::string& quoted) {
    INFO("rule " << o.rule_id << ": " << o.explanation << "\nnotes: " << joined(o.notes)
                 << "\nverify: " << o.verify_text);
    CHECK(o.finished);
    CHECK(o.cause == cause);
    CHECK((quotes(o.explanation, quoted) || quotes(joined(o.notes), quoted)));
    CHECK(o.verify_clean);
}

}  // namespace

TEST_CASE("foreign answers: 01 /health behind a failing proxy (HTML 502) is host_unreachable quoting the page") {
    auto o = run_with({1, 0, {{"GET /health", 502}}, {}});
    expect(o, "host_unreachable", "502 Bad Gateway");
}

TEST_CASE(
    "foreign answers: 02 the admin API answering the proxy's HTML 502 is host-not-sub2api, not an auth rejection") {
    auto o = run_with({2, 0, {{"GET /api/v1/admin/compliance", 502}, {"GET /api/v1/admin/system/version", 502}}, {}});
    expect(o, "host_unreachable", "502 Bad Gateway");
    CHECK(o.rule_id == "host-not-sub2api");
}

TEST_CASE("foreign answers: 04 preview reads answered with HTML 502 (advisory) leave a ready cell with a note") {
    auto o = run_with({4, 5, all_of(k_admin_reads, 502), {}});
    expect(o, "ready", "502 Bad Gateway");
    CHECK(quotes(joined(o.notes), "04 preview"));
}

TEST_CASE("foreign answers: 05 import writes answered with HTML 504 are host_unreachable, not an engine defect") {
    auto o = run_with({5, 6, {{"POST /api/v1/admin/groups", 504}, {"POST /api/v1/admin/accounts", 504}}, {}});
    expect(o, "host_unreachable", "504 Gateway Time-out");
}

TEST_CASE("foreign answers: 07 access writes answered with HTML 502 are host_unreachable, not an engine defect") {
    auto o = run_with({7, 8, {{"POST /api/v1/admin/users", 502}}, {}});
    expect(o, "host_unreachable", "502 Bad Gateway");
}

TEST_CASE("foreign answers: 07 a host without the fork key route (Gin text 404) gets keys by user login and is ready") {
    stubs::StubOptions o;
    o.fork_admin_key_route = true;
    o.host_profile = "no_fork_key_route";
    auto out = run_with({1, 0, {}, {"POST /api/v1/admin/users/:id/api-keys"}}, o);
    INFO(out.explanation);
    CHECK(out.cause == "ready");
    CHECK(out.verify_clean);
}

TEST_CASE("foreign answers: 08 mode-state reads answered with HTML 502 leave a ready cell with a note quoting them") {
    auto o = run_with({8, 9, all_of(k_admin_reads, 502), {}});
    expect(o, "ready", "502 Bad Gateway");
    CHECK(quotes(joined(o.notes), "08 mode state read-back"));
}

TEST_CASE(
    "foreign answers: 09-11 the gateway behind a failing proxy (HTML 502/504) is host_unreachable quoting the page") {
    auto o = run_with({9, 0, {{"GET /v1/models", 502}, {"POST /v1/chat/completions", 504}}, {}});
    expect(o, "host_unreachable", "504 Gateway Time-out");
    CHECK(o.rule_id == "gateway-proxy-error");
}

TEST_CASE(
    "foreign answers: 10 only the completion behind a proxy timeout (HTML 504) is host_unreachable, not a host gap") {
    auto o = run_with({10, 0, {{"POST /v1/chat/completions", 504}}, {}});
    expect(o, "host_unreachable", "504 Gateway Time-out");
    CHECK(o.rule_id == "gateway-proxy-error");
}

TEST_CASE("foreign answers: 12 the accounts read-back answered with HTML 502 leaves a ready cell with a note") {
    auto o = run_with({12, 13, {{"GET /api/v1/admin/accounts", 502}}, {}});
    expect(o, "ready", "502 Bad Gateway");
    CHECK(quotes(joined(o.notes), "12 accounts read-back"));
    CHECK(quotes(o.summary_md, "12 accounts read-back"));
}

TEST_CASE("foreign answers: 13 reconcile reads answered with HTML 502 leave a ready cell with a note") {
    auto o = run_with({13, 17, all_of(k_admin_reads, 502), {}});
    expect(o, "ready", "502 Bad Gateway");
    CHECK(quotes(joined(o.notes), "13 reconcile"));
}

TEST_CASE(
    "foreign answers: 20 rollback deletes answered with Gin's text 404 are rollback_incomplete quoting the answer") {
    auto o =
        run_with({20,
                  0,
                  {},
                  {"DELETE /api/v1/admin/accounts/:id", "DELETE /api/v1/admin/groups/:id",
                   "DELETE /api/v1/admin/users/:id", "DELETE /api/v1/admin/channels/:id", "DELETE /api/v1/keys/:id"}});
    expect(o, "rollback_incomplete", "404 page not found");
}

TEST_CASE(
    "foreign answers: 20 rollback deletes behind a failing proxy (HTML 502) are rollback_incomplete quoting the page") {
    auto o = run_with({20,
                       0,
                       {{"DELETE /api/v1/admin/accounts/:id", 502},
                        {"DELETE /api/v1/admin/groups/:id", 502},
                        {"DELETE /api/v1/admin/users/:id", 502},
                        {"DELETE /api/v1/admin/channels/:id", 502}},
                       {}});
    expect(o, "rollback_incomplete", "502 Bad Gateway");
}

TEST_CASE(
    "foreign answers: 06 the account test alone behind a failing proxy (HTML 502) does not hide a working gateway") {
    // The gateway works, so the cell is ready; the account test's proxy page is evidence, not a cause.
    auto o = run_with({6, 7, {{"POST /api/v1/admin/accounts/:id/test", 502}}, {}});
    INFO("rule " << o.rule_id << ": " << o.explanation << "\nnotes: " << joined(o.notes)
                 << "\nverify: " << o.verify_text);
    CHECK(o.finished);
    CHECK(o.cause == "ready");
    CHECK(o.verify_clean);
}

TEST_CASE("foreign answers: 01 /api/v1/settings/public unrouted (Gin text 404) still lets a working host be tested") {
    // An older or trimmed host without the public settings route: the version is unknown, the
    // rest of the pipeline runs and the bundle stays clean.
    auto o = run_with({1, 0, {}, {"GET /api/v1/settings/public"}});
    INFO("rule " << o.rule_id << ": " << o.explanation << "\nnotes: " << joined(o.notes)
                 << "\nverify: " << o.verify_text);
    CHECK(o.finished);
    CHECK(o.cause == "ready");
    CHECK(o.verify_clean);
}

TEST_CASE("foreign answers: a host port answering garbage bytes is not HTTP, not a connectivity failure") {
    static const char k_garbage[] = "\x16\x03\x01\x00\xa5\xff\xfe garbage \x80\x81 not http\r\n";
    test::LoopbackServer garbage([](test::RawConn& c, const test::RawRequest&) {
        c.write(std::string_view(k_garbage, sizeof k_garbage - 1));
        return false;
    });
    auto o = run_with({}, {}, garbage.url(""));
    INFO("rule " << o.rule_id << ": " << o.explanation << "\nverify: " << o.verify_text);
    CHECK(o.cause == "host_unreachable");
    CHECK(o.rule_id == "host-not-http");
    CHECK(quotes(o.explanation, "not speaking HTTP"));
    CHECK_FALSE(quotes(o.explanation, "fix connectivity"));
    CHECK(o.verify_clean);
}
