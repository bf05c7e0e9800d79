// `crm-accept serve` as a process: token rule, listening on an ephemeral port, SIGTERM.
#include <csignal>
#include <thread>

#include "stubs/http/http_client.hpp"
#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
using namespace std::chrono_literals;

namespace {

const std::string k_token = "e2e-serve-token-0123456789";

// The port the server wrote, once it is listening (empty: the process ended first).
std::string wait_for_port(const std::filesystem::path& port_file, pid_t pid) {
    for (int i = 0; i < 1000; ++i) {
        if (auto text = crm::util::read_file(port_file); text && !text->empty() && text->back() == '\n') {
            return text->substr(0, text->size() - 1);
        }
        if (waitpid(pid, nullptr, WNOHANG) != 0) return {};
        std::this_thread::sleep_for(10ms);
    }
    return {};
}

}  // namespace

TEST_CASE("serve cli: refuses to start without a 20-character admin token", "[e2e][serve]") {
    auto missing = run_cli({"serve", "--listen", "127.0.0.1:0"}, {{"SUB2API_CRM_ADMIN_TOKEN", ""}});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err ==
          "crm-accept serve: SUB2API_CRM_ADMIN_TOKEN is not set: the control plane needs an admin "
          "token of at least 20 characters\n");
    auto short_one = run_cli({"serve", "--listen", "127.0.0.1:0"}, {{"SUB2API_CRM_ADMIN_TOKEN", "too-short-tok"}});
    CHECK(short_one.exit_code == 3);
    CHECK(short_one.err.find("at least 20 characters") != std::string::npos);
    CHECK(short_one.err.find("too-short-tok") == std::string::npos);
    auto bad_flag = run_cli({"serve", "--log-format", "xml"}, {{"SUB2API_CRM_ADMIN_TOKEN", k_token}});
    CHECK(bad_flag.exit_code == 64);
    CHECK(bad_flag.err == "crm-accept serve: --log-format expects text or json, got 'xml'\n");
}

TEST_CASE("serve cli: listens on --port-file's port, answers, and exits 0 on SIGTERM", "[e2e][serve]") {
    auto dir = temp_dir("serve");
    const auto port_file = dir / "port";
    auto proc = spawn_cli({"serve", "--listen", "127.0.0.1:0", "--port-file", port_file.string(), "--db",
                           (dir / "engine.db").string(), "--log-format", "json"},
                          {{"SUB2API_CRM_ADMIN_TOKEN", k_token}});
    const auto port = wait_for_port(port_file, proc.pid);
    REQUIRE_FALSE(port.empty());
    crm::stubs::ClientRequest health;
    health.url = "http://127.0.0.1:" + port + "/healthz";
    auto h = crm::stubs::http_call(health);
    REQUIRE(h);
    CHECK(h->status == 200);
    CHECK(crm::util::get_string(crm::util::parse_json(h->body, "healthz").value(), "status") ==
          std::optional<std::string>("ok"));
    crm::stubs::ClientRequest api;
    api.url = "http://127.0.0.1:" + port + "/api/hosts";
    auto unauth = crm::stubs::http_call(api);
    REQUIRE(unauth);
    CHECK(unauth->status == 401);
    api.headers = {{"authorization", "Bearer " + k_token}};
    auto authed = crm::stubs::http_call(api);
    REQUIRE(authed);
    CHECK(authed->status != 401);
    ::kill(proc.pid, SIGTERM);
    auto done = wait_cli(proc);
    CHECK(done.exit_code == 0);
    CHECK(done.err.find(k_token) == std::string::npos);
    std::istringstream lines(done.err);
    int requests = 0;
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        auto v = crm::util::parse_json(line, "log line");
        REQUIRE(v);
        if (crm::util::get_string(*v, "msg") == std::optional<std::string>("request")) ++requests;
    }
    CHECK(requests == 3);
    std::filesystem::remove_all(dir);
}
