// `run` and `verify` agree: a bundle run calls clean passes verify, one that would fail verify
// makes run exit 4 and say why; secrets are registered before the bundle is named; cells a
// SIGINT kept from starting are "not run", not harness errors.
#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "stubs/stub_cluster.hpp"
#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

// A stub host started here and driven as a *real* host whose gateway stalls every call with
// keep-alives, so a test can act on the bundle while a cell waits, then let it go on.
struct StallingHost {
    std::unique_ptr<crm::stubs::StubCluster> cluster;
    std::map<std::string, std::string> env;
    fs::path dir = temp_dir("agree");

    StallingHost() {
        crm::stubs::StubOptions opts;
        opts.host_profile = "keepalive_stall";
        auto c = crm::stubs::StubCluster::start(opts);
        REQUIRE(c.has_value());
        cluster = std::move(*c);
        const auto& ep = cluster->endpoints();
        env = {{"STUB_URL", ep.host_url},
               {"STUB_ADMIN_KEY", ep.admin_api_key},
               {"DEEPSEEK_API_KEY", ep.upstream_keys.at("deepseek")},
               {"DEEPSEEK_BASE_URL", ep.upstream_urls.at("deepseek")}};
    }
    ~StallingHost() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string scenario(std::string_view modes) const {
        return write_scenario(dir, "stall.json",
                              fmt::format(R"({{
          "name": "stall", "packs_dir": "{}",
          "host": {{"kind": "real", "url": "${{STUB_URL}}", "admin_api_key": "${{STUB_ADMIN_KEY}}"}},
          "matrix": {{"modes": [{}], "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}},
          "timeouts": {{"idle_ms": 8000, "total_ms": 20000}}}})",
                                          packs_dir(), modes));
    }
};

// Waits (bounded) until `file` exists somewhere under `root`; returns its path.
fs::path wait_for_file(const fs::path& root, std::string_view file) {
    for (int i = 0; i < 600; ++i) {
        std::error_code ec;
        if (fs::exists(root, ec)) {
            for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                if (it->path().filename() == file) return it->path();
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return {};
}

// Waits for the process while ending every keep-alive stall as soon as it starts.
Finished wait_releasing(const Spawned& proc, crm::stubs::StubCluster& cluster) {
    std::atomic<bool> done{false};
    std::thread releaser([&] {
        while (!done.load()) {
            cluster.release_stalls();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    auto r = wait_cli(proc);
    done = true;
    releaser.join();
    return r;
}

bool any_file_contains(const fs::path& root, std::string_view needle) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (e.is_regular_file() && crm::util::read_file(e.path()).value_or("").find(needle) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("e2e run: a bundle that would fail verify (an artifact made invalid mid-run) exits 4 and says why") {
    StallingHost host;
    auto out = host.dir / "out";
    auto proc = spawn_cli({"run", host.scenario("\"self_service\""), "--out", out.string()}, host.env);
    auto imported = wait_for_file(out, "05-import.json");
    REQUIRE_FALSE(imported.empty());
    // Something other than the writer puts bytes that are neither JSON nor UTF-8 into the bundle
    // while the cell waits on the host: the manifest, written at the end, will agree with them.
    {
        std::ofstream(imported.parent_path() / "16-extra.json") << "{\"schema_version\": 1, \"x\": \"\xFF\"";
    }
    auto r = wait_releasing(proc, *host.cluster);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.out.find("gate: FAILED (exit 4)") != std::string::npos);
    CHECK(r.err.find("bundle check: content: self_service__deepseek/16-extra.json: not valid UTF-8") !=
          std::string::npos);
    CHECK(r.err.find("bundle check FAILED") != std::string::npos);
    auto bundle = only_bundle(out);
    auto gate = check_summary_says_audit_failed(bundle);
    CHECK(crm::util::get_string(gate, "reason").value_or("").find("16-extra.json") != std::string::npos);
    // verify says the same of the same bundle.
    auto v = run_cli({"verify", bundle.string()});
    INFO(v.out);
    CHECK(v.exit_code == 4);
    CHECK(v.out.find("content: self_service__deepseek/16-extra.json: not valid UTF-8") != std::string::npos);
}

TEST_CASE("e2e run: a clean run's bundle passes verify, and its 00-run.json records every cell's artifact plan") {
    auto dir = temp_dir("agree-clean");
    auto r = run_cli({"run", "--out", dir.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto bundle = only_bundle(dir);
    CHECK(run_cli({"verify", bundle.string()}).exit_code == 0);
    auto run = read_json(bundle / "00-run.json");
    const auto* cells = crm::util::find(*crm::util::find(run, "matrix"), "cells_selected");
    REQUIRE(cells);
    REQUIRE(cells->as_array().size() == 6);
    for (const auto& c : cells->as_array()) {
        const auto* plan = crm::util::find(c, "artifacts");
        REQUIRE(plan);
        CHECK(crm::util::get_string(plan->as_array().front(), "step") == std::optional<std::string>("00-cell"));
    }
    // Deleting a cell's first artifacts afterwards is caught by the plan even with a rewritten manifest.
    auto cell = bundle / "self_service__kimi";
    for (const char* f : {"00-cell.json", "01-host-health.json", "05-import.json"}) fs::remove(cell / f);
    auto v = run_cli({"verify", bundle.string()});
    CHECK(v.exit_code == 4);
    CHECK(v.out.find("plan: self_service__kimi/05-import.json: missing (step 05-import is recorded as ran)") !=
          std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a --label equal to an upstream key is refused (64) before anything is named or written") {
    auto dir = temp_dir("label-key");
    // Not secret-shaped: only knowing the key tells it from an ordinary label.
    const std::string key = "kimi-plain-upstream-key-0123456789";
    auto path = write_scenario(dir, "label.json",
                               fmt::format(R"({{"name": "labels", "packs_dir": "{}",
  "label": "${{T_LABEL:-}}",
  "host": {{"kind": "real", "url": "http://127.0.0.1:9", "admin_api_key": "${{T_ADMIN_KEY}}"}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}}}})",
                                           packs_dir()));
    std::map<std::string, std::string> env{{"T_ADMIN_KEY", "admin-" + std::string(64, 'c')}, {"KIMI_API_KEY", key}};
    auto refused = run_cli({"run", path, "--label", key, "--out", (dir / "out").string()}, env);
    CHECK(refused.exit_code == 64);
    CHECK(refused.err.find("--label holds a secret") != std::string::npos);
    CHECK(refused.err.find(key) == std::string::npos);
    CHECK(refused.out.find(key) == std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out"));

    // The same value as the scenario's own label: the folder says "redacted", no file holds it.
    // (Port 9 is closed: the cell is host_unreachable, exit 2.)
    env["T_LABEL"] = key;
    auto redacted = run_cli({"run", path, "--out", (dir / "out2").string()}, env);
    INFO(redacted.out << redacted.err);
    CHECK(redacted.exit_code == 2);
    CHECK(redacted.out.find(key) == std::string::npos);
    CHECK(redacted.err.find(key) == std::string::npos);
    auto bundle = only_bundle(dir / "out2");
    CHECK(bundle.filename().string().ends_with("_labels_redacted"));
    CHECK_FALSE(any_file_contains(bundle, key));
    CHECK(crm::util::read_file(bundle / "self_service__kimi" / "00-cell.json").value_or("").find("[REDACTED]") !=
          std::string::npos);
    CHECK(run_cli({"verify", bundle.string()}).exit_code == 0);
    fs::remove_all(dir);
}

TEST_CASE("e2e run: cells a SIGINT kept from starting are not_run in summary.json, junit.xml and report.html") {
    StallingHost host;
    auto out = host.dir / "out";
    // One job: the first cell stalls on the host, the second has not started when SIGINT comes.
    auto proc = spawn_cli(
        {"run", host.scenario("\"self_service\", \"subscription\""), "--jobs", "1", "--out", out.string()}, host.env);
    REQUIRE_FALSE(wait_for_file(out, "05-import.json").empty());
    ::kill(proc.pid, SIGINT);
    auto r = wait_releasing(proc, *host.cluster);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 130);
    auto bundle = only_bundle(out);
    CHECK(crm::util::get_string(read_json(bundle / "00-run.json"), "status") ==
          std::optional<std::string>("incomplete"));
    auto summary = read_json(bundle / "summary.json");
    const auto* gate = crm::util::find(summary, "gate");
    REQUIRE(gate);
    CHECK(crm::util::get_bool(*gate, "passed") == std::optional<bool>(false));
    const auto& cells = crm::util::find(summary, "cells")->as_array();
    REQUIRE(cells.size() == 2);
    const auto& never = cells[1];
    CHECK(cell_id(never) == "subscription__deepseek");
    CHECK(crm::util::get_string(never, "cause") == std::optional<std::string>("not_run"));
    CHECK(crm::util::get_string(never, "verdict") == std::optional<std::string>("not_run"));
    CHECK(crm::util::get_string(never, "gate_outcome") == std::optional<std::string>("not_run"));
    CHECK(crm::util::get_int(*crm::util::find(summary, "verdict_counts"), "not_run") == std::optional<std::int64_t>(1));

    auto junit = crm::util::read_file(bundle / "junit.xml").value_or("");
    auto at = junit.find("classname=\"crm-accept.stall.subscription\"");
    REQUIRE(at != std::string::npos);
    auto testcase = junit.substr(at, junit.find("</testcase>", at) - at);
    CHECK(testcase.find("<skipped message=\"not run") != std::string::npos);
    CHECK(testcase.find("<error") == std::string::npos);

    auto html = crm::util::read_file(bundle / "report.html").value_or("");
    CHECK(html.find("<td class=\"cell not-run\"") != std::string::npos);
    CHECK(html.find("<span class=\"cause\">not run</span>") != std::string::npos);
    // Honest but unfinished: verify says incomplete (3), not untrustworthy.
    CHECK(run_cli({"verify", bundle.string()}).exit_code == 3);
}

TEST_CASE("e2e run --json: a bundle that fails its check says exit 4, the audit and every problem on stdout") {
    auto dir = temp_dir("agree-json");
    // A scenario label shaped like a key (not registered, so not scrubbed) reaches 00-run.json.
    auto path = write_scenario(dir, "leak.json",
                               fmt::format(R"({{"name": "leak", "label": "sk-{}", "packs_dir": "{}",
      "host": {{"kind": "stub"}},
      "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}}}})",
                                           std::string(48, 'Q'), packs_dir()));
    auto r = run_cli({"run", path, "--out", (dir / "out").string(), "--json"});
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.out.find(std::string(48, 'Q')) == std::string::npos);
    auto doc = crm::util::parse_json(r.out, "stdout");
    REQUIRE(doc.has_value());
    CHECK(crm::util::get_int(*doc, "exit_code") == std::optional<std::int64_t>(4));
    CHECK(crm::util::get_bool(*crm::util::find(*doc, "gate"), "passed") == std::optional<bool>(false));
    const auto* audit = crm::util::find(*doc, "audit");
    REQUIRE(audit);
    CHECK(crm::util::get_bool(*audit, "passed") == std::optional<bool>(false));
    const auto* problems = crm::util::find(*audit, "problems");
    REQUIRE(problems);
    REQUIRE_FALSE(problems->as_array().empty());
    CHECK(std::string(problems->as_array().front().as_string()).starts_with("secret: sk_key at "));
    // The same bundle, the same verdict from verify.
    CHECK(run_cli({"verify", only_bundle(dir / "out").string()}).exit_code == 4);
    fs::remove_all(dir);
}
