// One host session per run: parallel cells of one pipeline share the admin login and the
// capability probe, counted at the stub host.
#include <catch2/catch.hpp>
#include <filesystem>

#include "stubs/stub_cluster.hpp"
#include "tests/component/harness/one_cell.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

std::uint64_t count(const stubs::StubCounters& c, const std::string& route) {
    auto it = c.host_routes.find(route);
    return it == c.host_routes.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("host session: two parallel cells log in once and probe the host's capabilities once") {
    stubs::StubOptions o;
    o.upstreams.push_back({"deepseek", "deepseek", "healthy"});
    auto cluster = stubs::StubCluster::start(o);
    REQUIRE(cluster.has_value());
    const auto dir = fs::temp_directory_path() / ("crm-session-" + util::random_hex(5));
    fs::create_directories(dir);

    test::OneCellOptions opt;
    opt.dir = dir;
    opt.both_modes = true;
    opt.admin_login = true;
    auto r = test::run_one_cell((*cluster)->endpoints(), opt);
    REQUIRE(r.reports.size() == 2);
    for (const auto& report : r.reports) {
        INFO(report.cell.id << ": " << report.classification.explanation);
        CHECK(report.classification.cause == harness::classify::Cause::ready);
        CHECK(report.rolled_back);
        CHECK(fs::exists(r.bundle_dir / report.cell.id / "02-host-capabilities.json"));
    }
    CHECK(r.audit.empty());

    const auto c = (*cluster)->counters();
    CHECK(c.admin_logins == 1);
    // Requests only the capability probe sends: the compliance state, and the fork key route
    // (this host has none, so keys are made by user login).
    CHECK(count(c, "GET /api/v1/admin/compliance") == 1);
    CHECK(count(c, "POST /api/v1/admin/users/:id/api-keys") == 1);
    // Step 01 checks health and the public settings as each cell's own evidence; the capability
    // probe adds one of each for the whole run.
    CHECK(count(c, "GET /health") == r.reports.size() + 1);
    CHECK(count(c, "GET /api/v1/settings/public") == r.reports.size() + 1);
    std::error_code ec;
    fs::remove_all(dir, ec);
}
