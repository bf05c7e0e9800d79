// docs/RUNBOOK.md "If a run is killed", followed verbatim against a `crm-accept stubhost` process
// that the run treats as a real host (scenarios/real-host.json itself): the run is killed with
// SIGKILL at a known moment, the operator reads `engine_state` from 00-run.json and runs the
// documented `crm-accept engine recover`, and the host, read back through its admin API, holds
// nothing the run owned. Moments are landed with stub stall knobs and file/host polling, never
// with blind sleeps. Also: a second SIGINT during a hung rollback.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>

#include "tests/e2e/cli_process.hpp"
#include "tests/e2e/stubhost_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

const std::string k_scenario = std::string(CRM_SOURCE_DIR) + "/scenarios/real-host.json";

// The environment RUNBOOK §3 asks for, pointed at the stubhost process.
std::map<std::string, std::string> runbook_env(const StubHostProcess& stub) {
    return {{"CRM_HOST_URL", stub.get("host_url")},
            {"CRM_ADMIN_API_KEY", stub.get("admin_api_key")},
            {"DEEPSEEK_API_KEY", stub.upstream("upstream_keys", "deepseek")},
            {"DEEPSEEK_BASE_URL", stub.upstream("upstreams", "deepseek")},
            {"KIMI_API_KEY", stub.upstream("upstream_keys", "kimi")},
            {"KIMI_BASE_URL", stub.upstream("upstreams", "kimi")},
            {"MINIMAX_API_KEY", stub.upstream("upstream_keys", "minimax")},
            {"MINIMAX_BASE_URL", stub.upstream("upstreams", "minimax")}};
}

std::size_t cells_with(const fs::path& out, std::string_view file) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(out, ec); it != fs::recursive_directory_iterator(); ++it) {
        if (it->path().filename() == file) ++n;
    }
    return n;
}

std::string profile_file(const fs::path& dir, std::string_view name, std::string_view host, std::string_view upstream) {
    auto p = dir / (std::string(name) + ".json");
    (void)crm::util::write_atomic(
        p, fmt::format(R"({{"name": "{}", "description": "e2e", "host": {}, "upstream": {}}})", name, host, upstream));
    return p.string();
}

// The run's engine state as 00-run.json names it (RUNBOOK: "00-run.json names it as
// engine_state from the first moment").
std::string engine_state_of(const fs::path& out) {
    auto run = read_json(only_bundle(out) / "00-run.json");
    return crm::util::get_string(run, "engine_state").value_or("");
}

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Starts the run, waits (bounded) until `moment` holds, kills it with SIGKILL, then follows the
// RUNBOOK: engine_state from 00-run.json, `crm-accept engine recover --db <engine_state>
// --host-url <url> --admin-key-env CRM_ADMIN_API_KEY`, and reads the host back.
void kill_and_recover(const StubHostProcess& stub, const std::function<bool(const fs::path&)>& moment) {
    REQUIRE_FALSE(stub.get("host_url").empty());
    auto dir = temp_dir("killed");
    const auto out = dir / "out";
    const auto env = runbook_env(stub);
    auto proc = spawn_cli({"run", k_scenario, "--out", out.string()}, env);
    const bool reached = poll_until([&] { return fs::exists(out) && moment(out); });
    ::kill(proc.pid, SIGKILL);
    auto killed = wait_cli(proc);
    INFO(killed.out << killed.err);
    REQUIRE(reached);
    REQUIRE(killed.exit_code == 128 + SIGKILL);
    REQUIRE_FALSE(owned_on_host(stub).empty());  // the kill left something behind

    const std::string state = engine_state_of(out);
    REQUIRE_FALSE(state.empty());
    REQUIRE(fs::exists(state));
    auto rec = run_cli({"engine", "recover", "--db", state, "--host-url", stub.get("host_url"), "--admin-key-env",
                        "CRM_ADMIN_API_KEY"},
                       env);
    INFO(rec.out << rec.err);
    CHECK(rec.exit_code == 0);
    const auto left = owned_on_host(stub);
    for (const auto& l : left) {
        INFO(l);
        CHECK(false);
    }
    CHECK(left.empty());
    // Recover is idempotent: a second one finds nothing to do and still proves it.
    CHECK(run_cli({"engine", "recover", "--db", state, "--host-url", stub.get("host_url"), "--admin-key-env",
                   "CRM_ADMIN_API_KEY"},
                  env)
              .exit_code == 0);
    fs::remove_all(fs::path(state).parent_path());
    fs::remove_all(dir);
}

}  // namespace

TEST_CASE("e2e runbook: kill -9 during import, then the documented recover leaves nothing owned") {
    auto dir = temp_dir("p-import");
    // Every successful admin POST is applied but answered only when the stub stops: each cell
    // is held right after its first group reached the host, its answer not yet recorded.
    StubHostProcess stub({"--profile", profile_file(dir, "post_stall", R"({"admin_stall_method": "POST",
        "admin_stall_ms": 600000})",
                                                    "{}")});
    auto on_host = [&] { return owned_on_host(stub).size(); };
    kill_and_recover(stub, [&](const fs::path&) { return on_host() >= 6; });  // one group per cell
    fs::remove_all(dir);
}

TEST_CASE(
    "e2e runbook: kill -9 during access closure (users created, keys not yet), then recover leaves nothing owned") {
    auto dir = temp_dir("p-access");
    // Imports answer normally; every admin POST under /api/v1/admin/users (the ordinary user,
    // its balance) is applied and held: each cell sits inside its access closure, its user on
    // the host but not yet recorded by the engine.
    StubHostProcess stub({"--profile", profile_file(dir, "user_stall", R"({"admin_stall_method": "POST",
        "admin_stall_ms": 600000, "admin_stall_path": "/api/v1/admin/users"})",
                                                    "{}")});
    auto users_on_host = [&] {
        auto owned = owned_on_host(stub);
        return std::count_if(owned.begin(), owned.end(), [](const std::string& s) { return s.rfind("user ", 0) == 0; });
    };
    kill_and_recover(
        stub, [&](const fs::path& out) { return cells_with(out, "05-import.json") == 6 && users_on_host() == 6; });
    fs::remove_all(dir);
}

TEST_CASE("e2e runbook: kill -9 during the probes (import and access succeeded), then recover leaves nothing owned") {
    // The upstream stalls streams, holding every cell in step 10 once access is closed
    // (user, key, balance or subscription exist).
    StubHostProcess stub({"--profile", "keepalive_stall"});
    kill_and_recover(stub, [&](const fs::path& out) { return cells_with(out, "09-models.json") == 6; });
}

TEST_CASE("e2e runbook: kill -9 during rollback, then recover leaves nothing owned") {
    // The first admin DELETE is applied and its answer held back: that cell hangs in its
    // rollback; once the other five have written 20-rollback.json the kill lands in it.
    StubHostProcess stub({"--profile", "admin_delete_stall"});
    kill_and_recover(stub, [&](const fs::path& out) { return cells_with(out, "20-rollback.json") == 5; });
}

TEST_CASE("e2e recover: refused while the run lives, and for a --host-url the state file has no batch on") {
    StubHostProcess stub({"--profile", "keepalive_stall"});
    auto dir = temp_dir("wrong-url");
    const auto out = dir / "out";
    const auto env = runbook_env(stub);
    auto proc = spawn_cli({"run", k_scenario, "--out", out.string(), "--only", "self_service__deepseek"}, env);
    const bool reached = poll_until([&] { return fs::exists(out) && cells_with(out, "09-models.json") == 1; });
    // While the run lives (here: probing, between engine operations) recover refuses.
    const std::string state = reached ? engine_state_of(out) : std::string{};
    auto alive = run_cli({"engine", "recover", "--db", state, "--host-url", stub.get("host_url"), "--admin-key-env",
                          "CRM_ADMIN_API_KEY"},
                         env);
    ::kill(proc.pid, SIGKILL);
    (void)wait_cli(proc);
    REQUIRE(reached);
    CHECK(alive.exit_code == 3);
    CHECK(alive.err.find("in use by another engine operation") != std::string::npos);
    CHECK_FALSE(owned_on_host(stub).empty());
    auto wrong = run_cli({"engine", "recover", "--db", state, "--host-url", "http://127.0.0.1:9", "--admin-key-env",
                          "CRM_ADMIN_API_KEY"},
                         env);
    CHECK(wrong.exit_code == 3);
    CHECK(std::count(wrong.err.begin(), wrong.err.end(), '\n') == 1);
    CHECK(wrong.err.find(stub.get("host_url")) != std::string::npos);  // names the batches' host
    CHECK_FALSE(owned_on_host(stub).empty());                          // nothing was touched
    auto right = run_cli({"engine", "recover", "--db", state, "--host-url", stub.get("host_url"), "--admin-key-env",
                          "CRM_ADMIN_API_KEY"},
                         env);
    INFO(right.out << right.err);
    CHECK(right.exit_code == 0);
    CHECK(owned_on_host(stub).empty());
    fs::remove_all(fs::path(state).parent_path());
    fs::remove_all(dir);
}

TEST_CASE("e2e recover: leftovers it cannot remove exit 1 with one left: line each") {
    auto stub = std::make_unique<StubHostProcess>(std::vector<std::string>{"--profile", "keepalive_stall"});
    REQUIRE_FALSE(stub->get("host_url").empty());
    const std::string url = stub->get("host_url");
    auto dir = temp_dir("leftover");
    const auto out = dir / "out";
    const auto env = runbook_env(*stub);
    auto proc = spawn_cli({"run", k_scenario, "--out", out.string(), "--only", "self_service__deepseek"}, env);
    const bool reached = poll_until([&] { return fs::exists(out) && cells_with(out, "09-models.json") == 1; });
    ::kill(proc.pid, SIGKILL);
    (void)wait_cli(proc);
    REQUIRE(reached);
    stub.reset();  // the host is gone: nothing can be deleted or read back
    const std::string state = engine_state_of(out);
    auto rec =
        run_cli({"engine", "recover", "--db", state, "--host-url", url, "--admin-key-env", "CRM_ADMIN_API_KEY"}, env);
    INFO(rec.out << rec.err);
    CHECK(rec.exit_code == 1);
    // group, account, channel, user, key: one line each, never a clean summary.
    std::size_t lines = 0;
    for (std::size_t at = rec.out.find("left: batch "); at != std::string::npos;
         at = rec.out.find("left: batch ", at + 1))
        ++lines;
    CHECK(lines >= 5);
    CHECK(rec.out.find(std::to_string(lines) + " owned left on the host") != std::string::npos);
    fs::remove_all(fs::path(state).parent_path());
    fs::remove_all(dir);
}

TEST_CASE(
    "e2e run: a second SIGINT during a hung rollback stops waiting, prints what is owned and the recover "
    "command, exits 130") {
    auto dir = temp_dir("sigint2");
    // Completions stall (cells wait in step 10 until the first SIGINT); the first admin DELETE of the
    // rollback is applied but never answered while the run lives.
    StubHostProcess stub({"--profile", profile_file(dir, "stall_both", R"({"admin_stall_method": "DELETE",
        "admin_stall_ms": 600000, "admin_stall_count": 1})",
                                                    R"({"stream_mode": "keepalive_stall", "stall_max_ms": 600000})")});
    REQUIRE_FALSE(stub.get("host_url").empty());
    const auto out = dir / "out";
    const auto env = runbook_env(stub);
    auto proc = spawn_cli({"run", k_scenario, "--out", out.string()}, env);
    REQUIRE(poll_until([&] { return fs::exists(out) && cells_with(out, "09-models.json") == 6; }));
    ::kill(proc.pid, SIGINT);
    // Five cells finish their rollback; the sixth hangs on the stalled DELETE.
    const bool hung = poll_until([&] { return cells_with(out, "20-rollback.json") == 5; });
    ::kill(proc.pid, SIGINT);
    auto r = wait_cli(proc);
    INFO(r.out << r.err);
    REQUIRE(hung);
    CHECK(r.exit_code == 130);
    CHECK(crm::util::get_string(read_json(only_bundle(out) / "00-run.json"), "status") ==
          std::optional<std::string>("incomplete"));
    const std::string state = engine_state_of(out);
    REQUIRE_FALSE(state.empty());
    CHECK(fs::exists(state));  // kept: the only record of what is still on the host
    CHECK(r.err.find("still owned on " + stub.get("host_url") + ":\n") != std::string::npos);
    const std::string expected = "crm-accept engine recover --db " + state + " --host-url " + stub.get("host_url") +
                                 " --admin-key-env CRM_ADMIN_API_KEY";
    const auto at = r.err.find("recover with: ");
    REQUIRE(at != std::string::npos);
    const std::string command = r.err.substr(at + 14, r.err.find('\n', at) - at - 14);
    CHECK(command == expected);
    CHECK(r.err.find(stub.get("admin_api_key")) == std::string::npos);

    // The printed command, run as printed, finishes the job.
    auto argv = words(command);
    REQUIRE(argv.size() > 1);
    argv.erase(argv.begin());  // "crm-accept"
    auto rec = run_cli(argv, env);
    INFO(rec.out << rec.err);
    CHECK(rec.exit_code == 0);
    CHECK(owned_on_host(stub).empty());
    fs::remove_all(fs::path(state).parent_path());
    fs::remove_all(dir);
}
