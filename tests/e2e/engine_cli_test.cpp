// `crm-accept engine <verb>` on its own, as an operator runs it: against a `crm-accept stubhost`
// process over loopback, with a state file on disk, each verb's exit code and output checked.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/e2e/cli_process.hpp"
#include "tests/e2e/stubhost_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::int64_t json_int(const std::string& text, std::string_view key) {
    auto v = crm::util::parse_json(text, "stdout");
    return v ? crm::util::get_int(*v, key).value_or(-1) : -1;
}

std::string json_str(const std::string& text, std::string_view key) {
    auto v = crm::util::parse_json(text, "stdout");
    return v ? crm::util::get_string(*v, key).value_or("") : "";
}

}  // namespace

TEST_CASE("e2e engine: import, access, status, rollback and recover against a stubhost process") {
    StubHostProcess stub;
    REQUIRE_FALSE(stub.get("host_url").empty());
    auto dir = temp_dir("engine");
    const std::string db = (dir / "engine.db").string();
    const std::map<std::string, std::string> env{{"CRM_ADMIN_API_KEY", stub.get("admin_api_key")},
                                                 {"DEEPSEEK_BASE_URL", stub.upstream("upstreams", "deepseek")},
                                                 {"DEEPSEEK_API_KEY", stub.upstream("upstream_keys", "deepseek")}};
    auto engine = [&](std::vector<std::string> args) {
        const bool packs = args.front() == "import" || args.front() == "access";
        args.insert(args.begin(), "engine");
        args.insert(args.end(),
                    {"--db", db, "--host-url", stub.get("host_url"), "--admin-key-env", "CRM_ADMIN_API_KEY"});
        if (packs) args.insert(args.end(), {"--pack-dir", packs_dir()});
        return run_cli(args, env);
    };
    auto status = [&](std::int64_t batch) {
        return run_cli({"engine", "status", "--db", db, "--batch", std::to_string(batch), "--json"});
    };

    auto probe = engine({"host-probe"});
    INFO(probe.out << probe.err);
    CHECK(probe.exit_code == 0);

    auto imp = engine({"import", "--pack", "cn-core", "--provider", "deepseek", "--mode", "self_service", "--prefix",
                       "e2e-ops", "--json"});
    INFO(imp.err);
    REQUIRE(imp.exit_code == 0);
    const auto batch = json_int(imp.out, "batch_id");
    REQUIRE(batch > 0);
    CHECK(json_str(imp.out, "batch_status") == "succeeded");

    auto acc = engine({"access", "--batch", std::to_string(batch), "--mode", "self_service"});
    INFO(acc.out << acc.err);
    CHECK(acc.exit_code == 0);
    CHECK(acc.out.find(stub.get("admin_api_key")) == std::string::npos);  // never printed

    auto st = status(batch);
    REQUIRE(st.exit_code == 0);
    CHECK(json_str(st.out, "batch_status") == "succeeded");
    CHECK(json_str(st.out, "latest_access_status") == "fully_ready");  // every imported mode is ready

    CHECK(json_str(st.out, "owner_run").empty());  // an installed provider, no run owns it

    // recover leaves an installed provider in place: `engine import` is meant to stay.
    auto kept = engine({"recover"});
    INFO(kept.out << kept.err);
    CHECK(kept.exit_code == 0);
    CHECK(kept.out.find("1 installed kept, 0 owned left on the host") != std::string::npos);
    CHECK(json_str(status(batch).out, "batch_status") == "succeeded");

    auto rb = engine({"rollback", "--batch", std::to_string(batch)});
    INFO(rb.out << rb.err);
    CHECK(rb.exit_code == 0);
    CHECK(json_str(status(batch).out, "batch_status") == "rolled_back");

    auto rec = engine({"recover"});
    INFO(rec.out << rec.err);
    CHECK(rec.exit_code == 0);
    fs::remove_all(dir);
}

TEST_CASE("e2e engine: bad input gets one line and its own exit code") {
    auto dir = temp_dir("engine-bad");
    const std::string db = (dir / "engine.db").string();
    const std::map<std::string, std::string> env{{"SUB2API_ADMIN_KEY", "admin-" + std::string(64, 'd')},
                                                 {"DEEPSEEK_API_KEY", ""}};
    auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };

    auto no_url = run_cli({"engine", "import", "--db", db, "--pack", "cn-core", "--provider", "deepseek"}, env);
    CHECK(no_url.exit_code == 64);
    CHECK(no_url.err == "crm-accept engine import: --host-url is required\n");

    auto bad_url = run_cli({"engine", "host-probe", "--db", db, "--host-url", "notaurl"}, env);
    CHECK(bad_url.exit_code == 64);
    CHECK(bad_url.err.find("must start with http:// or https://") != std::string::npos);

    auto no_db = run_cli({"engine", "status", "--db", (dir / "typo.db").string()});
    CHECK(no_db.exit_code == 3);
    CHECK(no_db.err.find("no state database at") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "typo.db"));

    // Port 9 (discard) is closed on loopback: the host is down.
    auto down = run_cli({"engine", "host-probe", "--db", db, "--host-url", "http://127.0.0.1:9"}, env);
    CHECK(down.exit_code == 2);
    CHECK(lines(down.err) == 1);
    CHECK(down.err.find("127.0.0.1:9") != std::string::npos);

    auto no_key = run_cli({"engine", "import", "--db", db, "--pack-dir", packs_dir(), "--host-url",
                           "http://127.0.0.1:9", "--pack", "cn-core", "--provider", "deepseek"},
                          env);
    CHECK(no_key.exit_code == 3);
    CHECK(lines(no_key.err) == 1);
    CHECK(no_key.err.find("DEEPSEEK_API_KEY is not set") != std::string::npos);

    auto unknown = run_cli({"engine", "import", "--db", db, "--pack-dir", packs_dir(), "--host-url",
                            "http://127.0.0.1:9", "--pack", "cn-core", "--provider", "nosuch"},
                           env);
    CHECK(unknown.exit_code == 3);
    CHECK(lines(unknown.err) == 1);
    CHECK(unknown.err.find("nosuch") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("e2e engine: a mistyped verb gets did you mean and exits 64, touching nothing") {
    auto dir = temp_dir("engine-verb");
    const std::string db = (dir / "engine.db").string();
    auto typo = run_cli({"engine", "rolback", "--db", db, "--batch", "1"});
    CHECK(typo.exit_code == 64);
    CHECK(typo.err == "crm-accept engine: unknown verb \"rolback\" (did you mean \"rollback\"?)\n");
    CHECK(typo.out.empty());
    CHECK_FALSE(fs::exists(db));

    auto after_flags = run_cli({"engine", "--db", db, "stauts"});
    CHECK(after_flags.exit_code == 64);
    CHECK(after_flags.err == "crm-accept engine: unknown verb \"stauts\" (did you mean \"status\"?)\n");

    auto far = run_cli({"engine", "frobnicate"});
    CHECK(far.exit_code == 64);
    CHECK(far.err ==
          "crm-accept engine: unknown verb \"frobnicate\" (verbs: host-probe, install-pack, preview, "
          "import, access, status, rollback, reconcile, recover; see crm-accept engine --help)\n");

    auto none = run_cli({"engine"});
    CHECK(none.exit_code == 64);
    CHECK(none.err.starts_with("crm-accept engine: a verb is required (host-probe, "));

    // A verb still refuses a flag it does not have.
    auto bad_flag = run_cli({"engine", "status", "--db", db, "--frob"});
    CHECK(bad_flag.exit_code == 64);
    CHECK(bad_flag.err.find("--frob") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("e2e engine: --help lists every verb with its summary") {
    auto help = run_cli({"engine", "--help"});
    CHECK(help.exit_code == 0);
    for (const char* line :
         {"host-probe", "install-pack", "preview", "import", "access", "status", "rollback", "reconcile", "recover",
          "Delete everything a batch owns and prove it by reading the host back"}) {
        INFO(line);
        CHECK(help.out.find(line) != std::string::npos);
    }
}

TEST_CASE("e2e: a mistyped top-level command gets did you mean and exits 64") {
    auto typo = run_cli({"rnu"});
    CHECK(typo.exit_code == 64);
    CHECK(typo.err == "crm-accept: unknown command 'rnu' (did you mean 'run'?)\n");
}

TEST_CASE("e2e run: on a real host, a run that leaves resources keeps its engine state for rollback") {
    StubHostProcess stub;  // a separate process: to the run it is a real host
    REQUIRE_FALSE(stub.get("host_url").empty());
    auto dir = temp_dir("kept");
    auto path = write_scenario(dir, "kept.json",
                               fmt::format(R"({{"name": "kept", "packs_dir": "{}",
  "host": {{"kind": "real", "url": "${{T_HOST}}", "admin_api_key": "${{T_ADMIN}}"}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}},
  "steps": {{"rollback": false}}}})",
                                           packs_dir()));
    const std::map<std::string, std::string> env{{"T_HOST", stub.get("host_url")},
                                                 {"T_ADMIN", stub.get("admin_api_key")},
                                                 {"SUB2API_ADMIN_KEY", stub.get("admin_api_key")},
                                                 {"DEEPSEEK_BASE_URL", stub.upstream("upstreams", "deepseek")},
                                                 {"DEEPSEEK_API_KEY", stub.upstream("upstream_keys", "deepseek")}};
    auto r = run_cli({"run", path, "--out", (dir / "out").string()}, env);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("engine state is kept at") != std::string::npos);
    auto run = read_json(only_bundle(dir / "out") / "00-run.json");
    const std::string state = crm::util::get_string(run, "engine_state").value_or("");
    REQUIRE_FALSE(state.empty());
    REQUIRE(fs::exists(state));

    // The operator finishes the job with the engine CLI on that state file.
    auto st = run_cli({"engine", "status", "--db", state, "--json"});
    REQUIRE(st.exit_code == 0);
    auto batches = crm::util::parse_json(st.out, "stdout").value_or(nullptr);
    const auto* list = crm::util::find(batches, "batches");
    REQUIRE(list);
    REQUIRE(list->is_array());
    REQUIRE(list->get_array().size() == 1);
    const auto batch = crm::util::get_int(list->get_array()[0], "batch_id").value_or(0);
    CHECK_FALSE(crm::util::get_string(list->get_array()[0], "owner_run").value_or("").empty());  // the run's
    auto rb = run_cli(
        {"engine", "rollback", "--db", state, "--host-url", stub.get("host_url"), "--batch", std::to_string(batch)},
        env);
    INFO(rb.out << rb.err);
    CHECK(rb.exit_code == 0);
    fs::remove_all(fs::path(state).parent_path());
    fs::remove_all(dir);
}
