// A run whose engine goes through the control plane ("engine": {"via": "serve"}), and the control
// plane's API on its own: `crm-accept serve` processes against stub hosts, over loopback.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "harness/serve/plane_client.hpp"
#include "tests/e2e/cli_process.hpp"
#include "tests/e2e/stubhost_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// The default matrix (both modes x kimi, deepseek with a planted host gap, minimax with a used-up
// upstream quota) on the built-in stub host, driven as `engine` says.
std::string default_like(std::string_view engine) {
    return fmt::format(R"({{
  "schema_version": 1,
  "name": "via",
  "packs_dir": "{}",
  "host": {{"kind": "stub", "profile": "healthy"}},
  "matrix": {{
    "modes": ["self_service", "subscription"],
    "providers": [
      {{"pack": "cn-core", "provider": "kimi"}},
      {{"pack": "cn-core", "provider": "deepseek", "profile": "host_chat_incompatible", "expect": "host_compatibility_gap"}},
      {{"pack": "cn-core", "provider": "minimax", "profile": "upstream_quota_exhausted", "expect": "upstream_key_quota_issue"}}
    ]
  }},
  "steps": {{"upstream_probes": true, "stream_smoke": true, "reconcile": true, "rollback": true}},
  "timeouts": {{"connect_ms": 2000, "total_ms": 15000, "idle_ms": 5000, "retries": 1}},
  "engine": {}
}})",
                       packs_dir(), engine);
}

// cell id -> "cause/verdict" from a summary.json.
std::map<std::string, std::string> verdicts_of(const json::value& summary) {
    std::map<std::string, std::string> out;
    const auto* cells = crm::util::find(summary, "cells");
    if (!cells || !cells->is_array()) return out;
    for (const auto& c : cells->get_array())
        out[cell_id(c)] =
            crm::util::get_string(c, "cause").value_or("?") + "/" + crm::util::get_string(c, "verdict").value_or("?");
    return out;
}

// A `crm-accept serve` process on a loopback port of its choice, stopped with SIGTERM.
struct ServeProcess {
    Spawned proc;
    std::string url;
    ServeProcess(const fs::path& dir, const std::map<std::string, std::string>& env) {
        const auto port_file = dir / "serve.port";
        proc = spawn_cli({"serve", "--listen", "127.0.0.1:0", "--port-file", port_file.string(), "--db",
                          (dir / "state.sqlite").string(), "--pack-dir", packs_dir(), "--log-format", "json"},
                         env);
        poll_until(
            [&] {
                auto text = crm::util::read_file(port_file).value_or("");
                while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
                if (auto colon = text.rfind(':'); colon != std::string::npos) text = text.substr(colon + 1);
                if (text.empty()) return false;
                url = "http://127.0.0.1:" + text;
                return true;
            },
            200);
    }
    ~ServeProcess() {
        ::kill(proc.pid, SIGTERM);
        (void)wait_cli(proc);
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;
};

}  // namespace

TEST_CASE("e2e serve: the default matrix via the control plane gets the in-process verdicts", "[serve]") {
    auto dir = temp_dir("via");
    auto in_process = write_scenario(dir, "in.json", default_like(R"({"via": "in_process"})"));
    auto served = write_scenario(dir, "serve.json", default_like(R"({"via": "serve"})"));
    // Both at once: each is a few seconds of loopback work.
    auto a = spawn_cli({"run", in_process, "--out", (dir / "a").string(), "--json"});
    auto b = spawn_cli({"run", served, "--out", (dir / "b").string(), "--json"});
    auto ra = wait_cli(a);
    auto rb = wait_cli(b);
    INFO(ra.err);
    INFO(rb.err);
    REQUIRE(ra.exit_code == 0);
    REQUIRE(rb.exit_code == 0);
    auto va = verdicts_of(crm::util::parse_json(ra.out, "a").value_or(nullptr));
    auto vb = verdicts_of(crm::util::parse_json(rb.out, "b").value_or(nullptr));
    CHECK(va.size() == 6);
    CHECK(vb == va);

    const auto bundle = only_bundle(dir / "b");
    CHECK(run_cli({"verify", bundle.string()}).exit_code == 0);
    auto run = read_json(bundle / "00-run.json");
    const auto* engine = crm::util::find(run, "engine");
    REQUIRE(engine);
    CHECK(crm::util::get_string(*engine, "via") == std::optional<std::string>("serve"));
    CHECK(crm::util::get_string(*engine, "url").value_or("").starts_with("http://127.0.0.1:"));
    auto in_run = read_json(only_bundle(dir / "a") / "00-run.json");
    CHECK(crm::util::get_string(*crm::util::find(in_run, "engine"), "via") == std::optional<std::string>("in_process"));
    // People reading the bundle see it too.
    auto summary_b = crm::util::read_file(bundle / "summary.md");
    REQUIRE(summary_b);
    CHECK(summary_b->find("| engine | through the control plane (serve) at http://127.0.0.1:") != std::string::npos);
    auto summary_a = crm::util::read_file(only_bundle(dir / "a") / "summary.md");
    REQUIRE(summary_a);
    CHECK(summary_a->find("| engine | in process |") != std::string::npos);
    // The imports really went through the API: the import outcome is the server's batch.
    CHECK(crm::util::get_int(read_json(bundle / "self_service__kimi" / "05-import.json"), "batch_id").value_or(0) > 0);
    fs::remove_all(dir);
}

TEST_CASE("e2e serve: import, access, reconcile and rollback through the API leave the host clean", "[serve]") {
    StubHostProcess stub;
    REQUIRE_FALSE(stub.get("host_url").empty());
    auto dir = temp_dir("plane");
    const std::string token = crm::util::random_hex(16);
    ServeProcess serve(dir, {{"SUB2API_CRM_ADMIN_TOKEN", token},
                             {"DEEPSEEK_BASE_URL", stub.upstream("upstreams", "deepseek")},
                             {"DEEPSEEK_API_KEY", stub.upstream("upstream_keys", "deepseek")}});
    REQUIRE_FALSE(serve.url.empty());
    auto http = crm::probes::make_curl_transport();
    crm::harness::serve::PlaneClient client(*http, {serve.url, token});
    REQUIRE(poll_until([&] { return client.health().has_value(); }, 200));

    crm::harness::serve::HostRegistration reg;
    reg.name = "stub";
    reg.url = stub.get("host_url");
    reg.admin_key = stub.get("admin_api_key");
    auto host = client.create_host(reg);
    INFO((host ? "" : host.error().message));
    REQUIRE(host.has_value());
    auto pack = client.install_pack("cn-core");
    INFO((pack ? "" : pack.error().message));
    REQUIRE(pack.has_value());

    const std::string prefix = "e2e-plane-" + crm::util::random_hex(2);
    auto imp =
        client.import_provider("deepseek", {host->id, "cn-core", {crm::engine::AccessMode::self_service}, prefix, ""});
    INFO((imp ? "" : imp.error().message));
    REQUIRE(imp.has_value());
    CHECK(imp->batch_status == crm::engine::BatchStatus::succeeded);
    CHECK_FALSE(owned_on_host(stub, prefix).empty());

    crm::harness::serve::AccessCall access;
    access.host_id = host->id;
    access.batch_id = imp->batch_id;
    auto acc = client.close_access("deepseek", access);
    INFO((acc ? "" : acc.error().message));
    REQUIRE(acc.has_value());
    CHECK(acc->access_status == crm::engine::AccessStatus::self_service_ready);
    CHECK(acc->api_key.empty());  // never in an answer

    auto rec = client.reconcile_provider("deepseek", imp->batch_id, host->id);
    INFO((rec ? "" : rec.error().message));
    REQUIRE(rec.has_value());
    CHECK(rec->status == "in_sync");

    auto back = client.rollback_batch(imp->batch_id);
    INFO((back ? "" : back.error().message));
    REQUIRE(back.has_value());
    CHECK(back->batch_status == crm::engine::BatchStatus::rolled_back);
    CHECK(back->remaining.empty());
    auto batch = client.get_import_batch(imp->batch_id);
    REQUIRE(batch.has_value());
    CHECK(batch->batch_status == crm::engine::BatchStatus::rolled_back);
    CHECK(owned_on_host(stub, prefix).empty());
    fs::remove_all(dir);
}

TEST_CASE("e2e serve: an unset token or an unreachable control plane stops the run before any cell (exit 2)",
          "[serve]") {
    auto dir = temp_dir("via-env");
    const auto state = dir / "plane.sqlite";
    (void)crm::util::write_atomic(state, "", 0600);  // the running server's state file (an empty SQLite file)
    // Port 9 (discard) is closed on loopback: neither the host nor the control plane answers.
    auto path = write_scenario(dir, "via.json",
                               fmt::format(R"({{"name": "via-env", "packs_dir": "{}",
  "host": {{"kind": "real", "url": "http://127.0.0.1:9", "admin_api_key": "${{T_ADMIN_KEY}}"}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}},
  "engine": {{"via": "serve", "url": "http://127.0.0.1:9", "token_env": "T_PLANE_TOKEN", "state_file": "{}"}}}})",
                                           packs_dir(), state.string()));
    const std::map<std::string, std::string> env{{"T_ADMIN_KEY", "admin-" + std::string(64, 'c')},
                                                 {"KIMI_API_KEY", "sk-" + std::string(40, 'k')},
                                                 {"T_PLANE_TOKEN", ""}};
    auto unset = run_cli({"run", path, "--out", (dir / "out").string()}, env);
    CHECK(unset.exit_code == 2);
    CHECK(unset.err ==
          "crm-accept run: engine.token_env: T_PLANE_TOKEN is not set (the token of the control plane at "
          "http://127.0.0.1:9)\n");

    auto with_token = env;
    with_token["T_PLANE_TOKEN"] = "plane-token-plane-token-0123";
    auto unreachable = run_cli({"run", path, "--out", (dir / "out").string()}, with_token);
    CHECK(unreachable.exit_code == 2);
    CHECK(unreachable.err.starts_with("crm-accept run: the control plane at http://127.0.0.1:9 is not reachable: "));
    CHECK(unreachable.err.find("plane-token-plane-token-0123") == std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out"));  // no bundle for a run that never started a cell
    CHECK(fs::exists(state));              // a running server's state file is never deleted
    fs::remove_all(dir);
}
