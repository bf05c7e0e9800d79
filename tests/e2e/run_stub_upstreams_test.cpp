// Stub hosts of one run each get their own stub upstreams: a cell reaches the upstream of the
// host it runs on, whatever the other hosts of the hosts axis are.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

TEST_CASE("e2e run: two stub hosts with different upstream profiles each reach their own stub upstream") {
    auto dir = temp_dir("own-upstreams");
    // Host b's profile makes its upstreams answer quota errors; host a's are healthy. Host b is
    // listed last, so a run that shared one set of upstreams across hosts would send a's cells
    // to b's exhausted upstream.
    auto path = write_scenario(dir, "own-upstreams.json",
                               fmt::format(R"({{
      "name": "own-upstreams", "packs_dir": "{}",
      "matrix": {{"hosts": [{{"name": "a", "kind": "stub"}},
                            {{"name": "b", "kind": "stub", "profile": "upstream_quota_exhausted"}}],
                  "modes": ["self_service"],
                  "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}}}})",
                                           packs_dir()));
    auto r = run_cli({"run", path, "--out", (dir / "out").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);  // b's cell is blocked by its upstream; a's passes
    auto bundle = only_bundle(dir / "out");
    auto causes = causes_of(read_json(bundle / "summary.json"));
    CHECK(causes == std::map<std::string, std::string>{{"a__self_service__deepseek", "ready"},
                                                       {"b__self_service__deepseek", "upstream_key_quota_issue"}});
    // Each cell's provider points at a loopback stub upstream, and not at the same one.
    auto url_of = [&](const char* cell) {
        return crm::util::get_string(read_json(bundle / cell / "03-pack.json"), "upstream_base_url").value_or("");
    };
    auto a_url = url_of("a__self_service__deepseek");
    auto b_url = url_of("b__self_service__deepseek");
    CHECK(a_url.starts_with("http://127.0.0.1:"));
    CHECK(b_url.starts_with("http://127.0.0.1:"));
    CHECK(a_url != b_url);
    fs::remove_all(dir);
}
