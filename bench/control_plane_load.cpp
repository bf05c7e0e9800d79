// Load on `crm-accept serve` (the control plane) from the bench process. The bench starts the
// built binary as a child (temp --db, --port-file, JSON logs to a temp file: logging is part of
// the cost), then drives it with N keep-alive connections from one async client thread for a
// fixed time per route, and prints req/s and p50/p99 side by side with the same load on the
// stub host's GET /health (a thread-per-connection Beast server doing nothing) in the same run:
// the ratio is what the control plane's layers (auth, routing, metrics, log line) cost.
// GET /api/hosts reads the registered hosts from the state store (none here: the cost of the
// handler, the store read and the JSON, not of a long list). A route answering anything but 200
// says so on its line.
//
// Usage: bench_control_plane_load [--connections N] [--seconds S]   (defaults 16 and 3)
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/keepalive_load.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

extern char** environ;

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct Stats {
    double req_per_s = 0, p50 = 0, p99 = 0;
    int errors = 0, status = 0;
    bool mixed = false;
};

Stats run_load(std::uint16_t port, const std::string& path, const std::string& token, int connections,
               std::chrono::milliseconds duration) {
    crm::bench::KeepAlivePlan plan;
    plan.endpoint = tcp::endpoint(net::ip::make_address("127.0.0.1"), port);
    plan.request = http::request<http::string_body>{http::verb::get, path, 11};
    plan.request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    if (!token.empty()) plan.request.set(http::field::authorization, "Bearer " + token);
    plan.request.keep_alive(true);
    plan.request.prepare_payload();
    plan.connections = connections;
    plan.duration = duration;
    auto load = crm::bench::run_keepalive_load(plan);
    const double secs = load.seconds;
    auto& all = load.latencies_ms;
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all.empty()
                   ? 0.0
                   : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))];
    };
    return Stats{secs > 0 ? static_cast<double>(all.size()) / secs : 0.0,
                 pct(0.5),
                 pct(0.99),
                 load.errors,
                 load.status,
                 load.mixed_status};
}

void print(const char* label, const Stats& s, const Stats& reference) {
    std::string note;
    if (s.status != 200) note = "  (answered " + std::to_string(s.status) + ", not 200)";
    if (s.mixed) note += "  (mixed statuses)";
    std::printf("%-34s %8.0f req/s  p50=%6.3f ms  p99=%6.3f ms  err=%d  status=%d  ratio to stub /health %.2f%s\n",
                label, s.req_per_s, s.p50, s.p99, s.errors, s.status,
                reference.req_per_s > 0 ? s.req_per_s / reference.req_per_s : 0.0, note.c_str());
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    int connections = 16;
    int seconds = 3;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--connections") == 0) connections = std::max(1, std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::max(1, std::atoi(argv[i + 1]));
    }
    std::signal(SIGPIPE, SIG_IGN);
    const auto dir = std::filesystem::temp_directory_path() / ("crm-bench-serve-" + crm::util::random_hex(4));
    std::filesystem::create_directories(dir);
    const std::string token = "bench-" + crm::util::random_hex(16);
    const auto port_file = dir / "port";
    const auto log_file = dir / "serve.log";

    std::vector<std::string> args{CRM_ACCEPT_BIN, "serve",
                                  "--listen",     "127.0.0.1:0",
                                  "--port-file",  port_file.string(),
                                  "--db",         (dir / "engine.db").string(),
                                  "--log-format", "json"};
    std::vector<char*> argv_c;
    for (auto& a : args) argv_c.push_back(a.data());
    argv_c.push_back(nullptr);
    std::vector<std::string> env_s{"SUB2API_CRM_ADMIN_TOKEN=" + token};
    for (char** e = environ; *e; ++e) {
        if (std::strncmp(*e, "SUB2API_CRM_ADMIN_TOKEN=", 24) != 0) env_s.emplace_back(*e);
    }
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv_c.data(), envp.data()) != 0) {
        std::fprintf(stderr, "cannot start %s\n", CRM_ACCEPT_BIN);
        return 3;
    }
    posix_spawn_file_actions_destroy(&fa);
    std::uint16_t port = 0;
    for (int i = 0; i < 500 && port == 0; ++i) {
        if (auto text = crm::util::read_file(port_file); text && !text->empty() && text->back() == '\n') {
            port = static_cast<std::uint16_t>(std::stoi(*text));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    if (port == 0) {
        std::fprintf(stderr, "crm-accept serve did not start (see %s)\n", log_file.c_str());
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
        return 3;
    }
    auto cluster = crm::stubs::StubCluster::start({});
    if (!cluster) {
        std::fprintf(stderr, "cannot start the stub host: %s\n", cluster.error().describe().c_str());
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
        return 3;
    }
    const auto stub_port = static_cast<std::uint16_t>(
        std::stoi((*cluster)->endpoints().host_url.substr((*cluster)->endpoints().host_url.rfind(':') + 1)));

    std::printf(
        "control plane load: crm-accept serve pid %d, %d keep-alive connections, %d s per route, one async "
        "client thread in pid %d\n",
        pid, connections, seconds, ::getpid());
    const std::chrono::milliseconds duration(seconds * 1000);
    (void)run_load(port, "/healthz", {}, connections, std::chrono::milliseconds(300));  // warm-up
    const auto stub = run_load(stub_port, "/health", {}, connections, duration);
    const auto health = run_load(port, "/healthz", {}, connections, duration);
    const auto hosts = run_load(port, "/api/hosts", token, connections, duration);
    print("stub host GET /health (reference)", stub, stub);
    print("serve GET /healthz", health, stub);
    print("serve GET /api/hosts", hosts, stub);

    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    (*cluster)->stop();
    std::printf("crm-accept serve exited %d after SIGTERM\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    std::filesystem::remove_all(dir);
    return 0;
}
