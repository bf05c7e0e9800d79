// Bundles produced by `run`: interruption, shard + merge, verify, plan.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "stubs/stub_cluster.hpp"
#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

bool any_file_named(const fs::path& root, std::string_view name) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
        if (it->path().filename() == name) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("e2e run: SIGINT mid-run exits 130, leaves the bundle incomplete and nothing owned on the host") {
    // The host is a stub started here, driven as a *real* host, so this test can read it back
    // after the crm-accept process is gone. Its gateway stalls streams with keep-alives, which
    // holds every cell in step 11 after it imported.
    crm::stubs::StubOptions opts;
    opts.host_profile = "keepalive_stall";
    auto cluster = crm::stubs::StubCluster::start(opts);
    REQUIRE(cluster.has_value());
    const auto& ep = (*cluster)->endpoints();
    auto dir = temp_dir("sigint");
    auto scenario = write_scenario(dir, "stall.json",
                                   fmt::format(R"({{
      "name": "stall", "packs_dir": "{}",
      "host": {{"kind": "real", "url": "${{STUB_URL}}", "admin_api_key": "${{STUB_ADMIN_KEY}}"}},
      "matrix": {{"modes": ["self_service", "subscription"],
                  "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}},
      "timeouts": {{"idle_ms": 8000, "total_ms": 20000}}}})",
                                               packs_dir()));
    std::map<std::string, std::string> env{{"STUB_URL", ep.host_url},
                                           {"STUB_ADMIN_KEY", ep.admin_api_key},
                                           {"DEEPSEEK_API_KEY", ep.upstream_keys.at("deepseek")},
                                           {"DEEPSEEK_BASE_URL", ep.upstream_urls.at("deepseek")}};
    auto out = dir / "out";
    auto proc = spawn_cli({"run", scenario, "--out", out.string()}, env);
    // Wait (bounded) until a cell has imported, i.e. owns resources on the host; it then stalls
    // in the stream checks.
    bool imported = false;
    for (int i = 0; i < 600 && !imported; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        imported = fs::exists(out) && any_file_named(out, "05-import.json");
    }
    REQUIRE(imported);
    ::kill(proc.pid, SIGINT);
    auto r = wait_cli(proc);
    (*cluster)->release_stalls();
    INFO(r.out << r.err);
    CHECK(r.exit_code == 130);
    auto bundle = only_bundle(out);
    auto run = read_json(bundle / "00-run.json");
    CHECK(crm::util::get_string(run, "status") == std::optional<std::string>("incomplete"));
    // Host read-back: no group, account, channel, user or key of this run is left, and every
    // subscription it assigned is revoked (sub2api keeps revoked subscriptions as history).
    auto snapshot = crm::util::parse_json((*cluster)->snapshot_json(), "snapshot");
    REQUIRE(snapshot.has_value());
    int owned_left = 0;
    for (const char* kind : {"groups", "accounts", "channels", "users", "api_keys"}) {
        const auto* list = crm::util::find(*snapshot, kind);
        if (!list || !list->is_array()) continue;
        for (const auto& item : list->get_array()) {
            auto name = crm::util::get_string(item, "name").value_or("");
            auto email = crm::util::get_string(item, "email").value_or("");
            if (name.rfind("crm-", 0) == 0 || email.rfind("crm-", 0) == 0) {
                INFO(kind << ": " << crm::util::json::serialize(item));
                CHECK(false);
                ++owned_left;
            }
        }
    }
    if (const auto* subs = crm::util::find(*snapshot, "subscriptions"); subs && subs->is_array()) {
        for (const auto& sub : subs->get_array()) CHECK(crm::util::get_string(sub, "status").value_or("") != "active");
    }
    CHECK(owned_left == 0);
    fs::remove_all(dir);
}

// The distributed path as CI runs it: three shard jobs at once, each finding its index in the
// environment a different CI system sets, each writing its own directory; then one merge job.
TEST_CASE(
    "e2e run: three --shard auto jobs in parallel (GitLab / Kubernetes / generic env) merge and verify to "
    "the unsharded run") {
    auto dir = temp_dir("shard");
    auto whole = run_cli({"run", "--out", (dir / "whole").string(), "--json"});
    REQUIRE(whole.exit_code == 0);
    const std::vector<std::map<std::string, std::string>> envs = {
        {{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "3"}},           // GitLab `parallel: 3`, 1-based
        {{"JOB_COMPLETION_INDEX", "1"}, {"CRM_SHARD_TOTAL", "3"}},  // Kubernetes Indexed Job, 0-based
        {{"CRM_SHARD_INDEX", "3"}, {"CRM_SHARD_TOTAL", "3"}}};      // any CI
    std::vector<Spawned> jobs;
    for (std::size_t i = 0; i < envs.size(); ++i)
        jobs.push_back(spawn_cli(
            {"run", "--shard", "auto", "--quiet", "--out", (dir / fmt::format("s{}", i + 1)).string()}, envs[i]));
    std::vector<std::string> shards;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto f = wait_cli(jobs[i]);
        INFO(f.out << f.err);
        CHECK(f.exit_code == 0);
        CHECK(f.err.empty());  // --quiet: no progress, no shard line
        shards.push_back(only_bundle(dir / fmt::format("s{}", i + 1)).string());
        CHECK(causes_of(read_json(fs::path(shards.back()) / "summary.json")).size() == 2);
    }
    // Shard k holds matrix cells k-1 and k+2 (round robin over 6 cells).
    CHECK(causes_of(read_json(fs::path(shards[1]) / "summary.json")).contains("self_service__deepseek"));

    const auto step_summary = dir / "step-summary.md";
    std::vector<std::string> merge_args{"merge"};
    merge_args.insert(merge_args.end(), shards.begin(), shards.end());
    for (const std::string& a :
         std::vector<std::string>{"--out", (dir / "merged").string(), "--json", "--dotenv", (dir / "crm.env").string()})
        merge_args.push_back(a);
    auto m = run_cli(merge_args, {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", step_summary.string()}});
    INFO(m.err);
    CHECK(m.exit_code == 0);
    const auto merged_dir = only_bundle(dir / "merged");
    CHECK(run_cli({"verify", merged_dir.string()}).exit_code == 0);
    auto merged = read_json(merged_dir / "summary.json");
    auto unsharded = crm::util::parse_json(whole.out, "stdout").value_or(nullptr);
    CHECK(causes_of(merged) == causes_of(unsharded));
    // Same cells in the same (matrix) order, the same gate decisions and exit code.
    std::vector<std::string> order_m, order_u, gate_m, gate_u;
    for (const auto& c : crm::util::find(merged, "cells")->get_array()) {
        order_m.push_back(cell_id(c));
        gate_m.push_back(crm::util::get_string(c, "gate_outcome").value_or("?"));
    }
    for (const auto& c : crm::util::find(unsharded, "cells")->get_array()) {
        order_u.push_back(cell_id(c));
        gate_u.push_back(crm::util::get_string(c, "gate_outcome").value_or("?"));
    }
    CHECK(order_m == order_u);
    CHECK(gate_m == gate_u);
    CHECK(crm::util::get_int(merged, "exit_code") == crm::util::get_int(unsharded, "exit_code"));
    // A passing merge under GitHub: no annotations, the step summary names the merged bundle.
    CHECK(m.err.find("::error") == std::string::npos);
    CHECK(crm::util::read_file(step_summary).value_or("").find(fmt::format("`{}`", merged_dir.filename().string())) !=
          std::string::npos);
    CHECK(crm::util::read_file(dir / "crm.env").value_or("").starts_with("CRM_GATE=passed\nCRM_EXIT=0\n"));
    // Merging a shard twice is refused.
    CHECK(run_cli({"merge", shards[0], shards[0], "--out", (dir / "twice").string()}).exit_code == 3);
    fs::remove_all(dir);
}

TEST_CASE("e2e verify and merge: a modified artifact is detected") {
    auto dir = temp_dir("verify");
    auto r = run_cli({"run", "--only", "kimi", "--out", (dir / "run").string()});
    REQUIRE(r.exit_code == 0);
    auto bundle = only_bundle(dir / "run");
    auto clean = run_cli({"verify", bundle.string()});
    CHECK(clean.exit_code == 0);
    auto target = bundle / "self_service__kimi" / "10-chat.json";
    auto text = crm::util::read_file(target).value();
    REQUIRE(crm::util::write_atomic(target, text + " ").has_value());
    auto v = run_cli({"verify", bundle.string()});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 4);
    CHECK(run_cli({"merge", bundle.string(), "--out", (dir / "m").string()}).exit_code == 4);
    fs::remove_all(dir);
}

TEST_CASE("e2e plan: prints every cell and every numbered artifact without touching the network") {
    auto r = run_cli({"plan", "--json"});
    REQUIRE(r.exit_code == 0);
    auto plan = crm::util::parse_json(r.out, "stdout");
    REQUIRE(plan.has_value());
    const auto& cells = crm::util::find(*plan, "cells")->get_array();
    CHECK(cells.size() == 6);
    std::string files;
    for (const auto& st : crm::util::find(cells[0], "artifacts")->get_array())
        for (const auto& f : crm::util::find(st, "files")->get_array()) files += std::string(f.get_string()) + " ";
    for (const char* f : {"00-cell.json", "08-self-service-state.json", "11-chat-stream.sse", "17-upstream-models.json",
                          "20-rollback.json", "21-summary.md"}) {
        INFO(f);
        CHECK(files.find(f) != std::string::npos);
    }
    auto text = run_cli({"plan", "--only", "subscription__kimi"});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("subscription__kimi/13-reconcile.json") != std::string::npos);
    CHECK(text.out.find("self_service__kimi") == std::string::npos);
}

TEST_CASE("e2e run: a hosts axis with two stub hosts writes one host-prefixed folder per cell") {
    auto dir = temp_dir("hosts");
    auto path = write_scenario(dir, "two-hosts.json",
                               fmt::format(R"({{
      "name": "two-hosts", "packs_dir": "{}",
      "matrix": {{"hosts": [{{"name": "a", "kind": "stub"}}, {{"name": "b", "kind": "stub"}}],
                  "modes": ["self_service"],
                  "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}}}})",
                                           packs_dir()));
    auto plan = run_cli({"plan", path, "--only", "b__*"});
    INFO(plan.out << plan.err);
    REQUIRE(plan.exit_code == 0);
    CHECK(plan.out.find("b__self_service__kimi") != std::string::npos);
    CHECK(plan.out.find("a__self_service__kimi") == std::string::npos);

    auto r = run_cli({"run", path, "--out", (dir / "out").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    auto bundle = only_bundle(dir / "out");
    auto causes = causes_of(read_json(bundle / "summary.json"));
    CHECK(causes ==
          std::map<std::string, std::string>{{"a__self_service__kimi", "ready"}, {"b__self_service__kimi", "ready"}});
    for (const char* cell : {"a__self_service__kimi", "b__self_service__kimi"}) {
        INFO(cell);
        CHECK(fs::exists(bundle / cell / "09-models.json"));
        CHECK(crm::util::get_string(read_json(bundle / cell / "21-summary.json"), "folder") ==
              std::optional<std::string>(cell));
    }
    CHECK_FALSE(fs::exists(bundle / "self_service__kimi"));
    fs::remove_all(dir);
}
