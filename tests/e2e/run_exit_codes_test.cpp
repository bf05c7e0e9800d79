// The exit codes of `crm-accept run`, each reached by a real situation (README, docs/RUNBOOK.md).
#include <fcntl.h>
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

std::string one_provider_scenario(std::string_view name, std::string_view provider_line) {
    return fmt::format(R"({{"name": "{}", "packs_dir": "{}", "host": {{"kind": "stub"}},
  "matrix": {{"modes": ["self_service", "subscription"], "providers": [{}]}}}})",
                       name, packs_dir(), provider_line);
}

}  // namespace

TEST_CASE("e2e run: no argument runs the default stub matrix, finds every planted cause and exits 0") {
    auto out = temp_dir("default");
    auto r = run_cli({"run", "--out", out.string(), "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto summary = crm::util::parse_json(r.out, "stdout");
    REQUIRE(summary.has_value());
    auto causes = causes_of(*summary);
    CHECK(causes["self_service__kimi"] == "ready");
    CHECK(causes["subscription__kimi"] == "ready");
    CHECK(causes["self_service__deepseek"] == "host_compatibility_gap");
    CHECK(causes["subscription__deepseek"] == "host_compatibility_gap");
    CHECK(causes["self_service__minimax"] == "upstream_key_quota_issue");
    CHECK(causes["subscription__minimax"] == "upstream_key_quota_issue");
    auto bundle = only_bundle(out);
    auto run = read_json(bundle / "00-run.json");
    CHECK(crm::util::get_string(run, "status") == std::optional<std::string>("complete"));
    CHECK(fs::exists(bundle / "MANIFEST.sha256"));
    CHECK(fs::exists(bundle / "junit.xml"));
    for (const char* f : {"00-cell.json",           "01-host-health.json",   "02-host-capabilities.json",
                          "03-pack.json",           "04-preview.json",       "05-import.json",
                          "06-account-probe.json",  "07-access-status.json", "08-subscription-group-state.json",
                          "09-models.headers.txt",  "09-models.json",        "10-chat.headers.txt",
                          "10-chat.json",           "11-chat-stream.sse",    "11-chat-stream.json",
                          "12-accounts-state.json", "13-reconcile.json",     "17-upstream-models.json",
                          "19-upstream-chat.json",  "20-rollback.json",      "21-summary.json",
                          "21-summary.md"}) {
        INFO(f);
        CHECK(fs::exists(bundle / "subscription__deepseek" / f));
    }
    CHECK(fs::exists(bundle / "self_service__kimi" / "08-self-service-state.json"));
    // timeouts.retries: a probe that got an answer at once records a single attempt.
    for (const char* f : {"09-models.json", "10-chat.json", "11-chat-stream.json", "17-upstream-models.json",
                          "19-upstream-chat.json"}) {
        INFO(f);
        CHECK(crm::util::get_int(read_json(bundle / "self_service__kimi" / f), "attempts") ==
              std::optional<std::int64_t>(1));
    }
    fs::remove_all(out);
}

TEST_CASE("e2e run: a scenario whose expectation misses the planted fault exits 1") {
    auto dir = temp_dir("exp");
    auto path =
        write_scenario(dir, "wrong.json", one_provider_scenario("wrong", R"({"pack": "cn-core", "provider": "deepseek",
        "profile": "host_chat_incompatible", "expect": "ready"})"));
    auto r = run_cli({"run", path, "--out", (dir / "out").string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("expectation_mismatch") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("e2e run: only environment-blocked cells (upstream quota, no expectation) exit 2") {
    auto dir = temp_dir("blocked");
    auto path =
        write_scenario(dir, "quota.json", one_provider_scenario("quota", R"({"pack": "cn-core", "provider": "minimax",
        "profile": "upstream_quota_exhausted"})"));
    auto r = run_cli({"run", path, "--out", (dir / "out").string(), "--json"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    auto causes = causes_of(crm::util::parse_json(r.out, "stdout").value_or(nullptr));
    CHECK(causes["self_service__minimax"] == "upstream_key_quota_issue");
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a host that refuses the admin (compliance gate not accepted) exits 2, not 1") {
    auto dir = temp_dir("refused");
    auto path = write_scenario(dir, "refused.json",
                               fmt::format(R"({{"name": "refused", "packs_dir": "{}",
  "host": {{"kind": "stub", "profile": "compliance_gate", "accept_compliance": false}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}}}})",
                                           packs_dir()));
    auto r = run_cli({"run", path, "--out", (dir / "out").string(), "--json"});
    INFO(r.err);
    CHECK(r.exit_code == 2);  // the host could not be tested: nothing is said about the product
    auto summary = crm::util::parse_json(r.out, "stdout").value_or(nullptr);
    CHECK(causes_of(summary)["self_service__kimi"] == "host_admin_rejected");
    CHECK(r.out.find("environment_error") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a malformed scenario exits 3 with one file:line: field: reason line") {
    auto dir = temp_dir("bad");
    auto path = write_scenario(dir, "bad.json",
                               "{\n  \"name\": \"bad\",\n  \"host\": {\"kind\": \"stub\"},\n"
                               "  \"matrix\": {\"modes\": [\"self_service\"],\n"
                               "    \"providers\": [{\"pack\": \"cn-core\", \"provider\": \"nope\"}]},\n"
                               "  \"packs_dir\": \"" +
                                   packs_dir() + "\"\n}\n");
    auto r = run_cli({"run", path, "--out", (dir / "out").string()});
    CHECK(r.exit_code == 3);
    CHECK(r.err == path + ":5: matrix.providers[0].provider: unknown provider \"nope\" in pack \"cn-core\"\n");
    CHECK_FALSE(fs::exists(dir / "out"));  // nothing was started, nothing written
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a secret that reaches an artifact fails the audit with exit 4, and the bundle says so") {
    auto dir = temp_dir("audit");
    // The scenario's label is copied into 00-run.json and every 00-cell.json: a key pasted there
    // is a leak the run cannot prevent, only detect (packs refuse inline secrets outright).
    auto path = write_scenario(dir, "leak.json",
                               fmt::format(R"({{"name": "leak", "label": "sk-{}", "packs_dir": "{}",
      "host": {{"kind": "stub"}},
      "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}}}})",
                                           std::string(40, 'a'), packs_dir()));
    auto r = run_cli({"run", path, "--out", (dir / "out").string()});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("audit FAILED") != std::string::npos);
    CHECK(r.err.find(std::string(40, 'a')) == std::string::npos);
    CHECK(r.out.find("(exit 4)") != std::string::npos);  // the table agrees with the exit code
    auto bundle = only_bundle(dir / "out");
    CHECK(bundle.filename().string().find(std::string(40, 'a')) == std::string::npos);  // not in names
    CHECK(r.out.find(std::string(40, 'a')) == std::string::npos);
    check_summary_says_audit_failed(bundle);
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a secret-shaped --label is refused before anything is written") {
    auto dir = temp_dir("label");
    auto r = run_cli({"run", "--label", "sk-" + std::string(40, 'b'), "--out", (dir / "out").string()});
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("looks like a secret") != std::string::npos);
    CHECK(r.err.find(std::string(40, 'b')) == std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out"));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a missing upstream key on a real host stops the run before any network call") {
    auto dir = temp_dir("nokey");
    // Port 9 (discard) is closed on loopback: had the run touched the host, the cell would say
    // host_unreachable; it must stop at the key instead.
    auto path = write_scenario(dir, "nokey.json",
                               fmt::format(R"({{"name": "nokey", "packs_dir": "{}",
  "host": {{"kind": "real", "url": "http://127.0.0.1:9", "admin_api_key": "${{T_ADMIN_KEY}}"}},
  "matrix": {{"modes": ["self_service"],
    "providers": [{{"pack": "cn-core", "provider": "kimi"}}]}}}})",
                                           packs_dir()));
    auto r = run_cli({"run", path, "--out", (dir / "out").string()},
                     {{"T_ADMIN_KEY", "admin-" + std::string(64, 'c')}, {"KIMI_API_KEY", ""}});
    CHECK(r.exit_code == 3);
    CHECK(r.err == path + ":4: matrix.providers[0]: provider cn-core/kimi: key_source.env KIMI_API_KEY is not set\n");
    CHECK_FALSE(fs::exists(dir / "out"));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a bad flag is a usage error (64)") {
    CHECK(run_cli({"run", "--no-such-flag"}).exit_code == 64);
    CHECK(run_cli({"run", "--shard", "3/2", "--out", temp_dir("usage").string()}).exit_code == 64);
}

TEST_CASE("e2e run: release.json (all healthy) passes the gate") {
    auto out = temp_dir("release");
    auto r = run_cli({"run", std::string(CRM_SOURCE_DIR) + "/scenarios/release.json", "--out", out.string(), "--json"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    auto causes = causes_of(crm::util::parse_json(r.out, "stdout").value_or(nullptr));
    CHECK(causes.size() == 6);
    for (const auto& [cell, cause] : causes) {
        INFO(cell);
        CHECK(cause == "ready");
    }
    fs::remove_all(out);
}

TEST_CASE("e2e: usage errors are one line and exit 64") {
    auto unknown = run_cli({"frob"});
    CHECK(unknown.exit_code == 64);
    CHECK(unknown.err ==
          "crm-accept: unknown command 'frob' (commands: run, plan, merge, verify, list, show, diff, board, "
          "prune, status, engine, stubhost, serve; see --help)\n");
    auto bad_flag = run_cli({"run", "--jobs", "abc"});
    CHECK(bad_flag.exit_code == 64);
    CHECK(std::count(bad_flag.err.begin(), bad_flag.err.end(), '\n') == 1);
    CHECK(bad_flag.err.find("--jobs") != std::string::npos);
}
