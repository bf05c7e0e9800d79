// For every built-in fault profile: the bundle `run` writes passes `verify`. run and verify
// read the same bundle with the same checks, so they may never disagree, and no fault a host
// can show (text 404s, HTML proxy pages, stalls, broken streams) may corrupt an artifact.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "stubs/stub_cluster.hpp"
#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

TEST_CASE("e2e run + verify: every fault profile's bundle verifies clean") {
    auto dir = temp_dir("profiles");
    for (const auto& profile : crm::stubs::profile_names()) {
        DYNAMIC_SECTION("profile " << profile) {
            auto scenario = write_scenario(dir, profile + ".json",
                                           fmt::format(R"({{
  "name": "profile-{}", "packs_dir": "{}", "host": {{"kind": "stub", "profile": "{}"}},
  "matrix": {{"modes": ["self_service", "subscription"],
             "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}},
  "timeouts": {{"idle_ms": 1500}}}})",
                                                       profile, packs_dir(), profile));
            auto out = dir / ("out-" + profile);
            auto r = run_cli({"run", scenario, "--out", out.string()});
            INFO(r.out << r.err);
            // 0, 1 or 2: whatever the cells' causes, the run itself finished and audited clean.
            CHECK(r.exit_code >= 0);
            CHECK(r.exit_code <= 2);
            auto bundle = only_bundle(out);
            REQUIRE_FALSE(bundle.empty());
            auto v = run_cli({"verify", bundle.string()});
            INFO(v.out << v.err);
            CHECK(v.exit_code == 0);
        }
    }
    fs::remove_all(dir);
}
