// Per-probe overhead: N identical GET /v1/models calls against one in-process stub upstream,
//   (a) through one HttpTransport (libcurl, shared connection cache) in a loop,
//   (b) through a fresh HttpTransport per call (no connection reuse),
//   (c) by spawning the `curl` binary once per call (what a shell script would do),
// measured side by side in one run. Prints requests/s for each and the ratios.
//
// Usage: bench_probe_loop_vs_curl [N]   (N defaults to 300, clamped to [10, 5000])
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "probes/http/transport.hpp"
#include "stubs/stub_cluster.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

crm::probes::HttpRequest models_request(const std::string& url, const std::string& key) {
    crm::probes::HttpRequest req;
    req.url = url;
    req.headers = {{"Authorization", "Bearer " + key}};
    return req;
}

// One `curl` process per request; returns true on HTTP 2xx (curl -f exit code 0).
bool spawn_curl(const std::string& url, const std::string& auth_header) {
    std::vector<std::string> args = {"curl", "-sf", "-o", "/dev/null", "-H", auth_header, url};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "curl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        return false;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 300;
    n = std::max(10, std::min(n, 5000));

    auto started = crm::stubs::StubCluster::start(crm::stubs::StubOptions{});
    if (!started) {
        std::fprintf(stderr, "stub cluster failed: %s\n", started.error().describe().c_str());
        return 1;
    }
    const auto& ep = (*started)->endpoints();
    const std::string name = ep.upstream_urls.begin()->first;
    const std::string base = ep.upstream_urls.begin()->second;
    const std::string url = base + (base.ends_with("/v1") ? "/models" : "/v1/models");
    const std::string key = ep.upstream_keys.at(name);

    // Warm-up (first connection, stub thread pool).
    auto shared = crm::probes::make_curl_transport();
    (void)shared->send(models_request(url, key));

    int ok_loop = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        auto r = shared->send(models_request(url, key));
        ok_loop += (r && r->status == 200) ? 1 : 0;
    }
    const double loop_s = seconds_since(t0);

    int ok_fresh = 0;
    t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        auto fresh = crm::probes::make_curl_transport();
        auto r = fresh->send(models_request(url, key));
        ok_fresh += (r && r->status == 200) ? 1 : 0;
    }
    const double fresh_s = seconds_since(t0);

    int ok_curl = 0;
    const std::string auth = "Authorization: Bearer " + key;
    t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        ok_curl += spawn_curl(url, auth) ? 1 : 0;
    }
    const double curl_s = seconds_since(t0);

    const double loop_rps = n / loop_s;
    const double fresh_rps = n / fresh_s;
    const double curl_rps = n / curl_s;
    std::printf("probe_loop_vs_curl: N=%d requests of GET /v1/models against stub upstream '%s'\n", n, name.c_str());
    std::printf("  transport loop (connection reuse) : %9.1f req/s  (%d/%d ok, %.3f s)\n", loop_rps, ok_loop, n,
                loop_s);
    std::printf("  transport per request (no reuse)  : %9.1f req/s  (%d/%d ok, %.3f s)\n", fresh_rps, ok_fresh, n,
                fresh_s);
    std::printf("  curl process per request          : %9.1f req/s  (%d/%d ok, %.3f s)\n", curl_rps, ok_curl, n,
                curl_s);
    std::printf("  ratio loop/curl = %.1fx, per-request transport/curl = %.1fx\n", loop_rps / curl_rps,
                fresh_rps / curl_rps);
    (*started)->stop();
    return (ok_loop == n && ok_fresh == n && ok_curl == n) ? 0 : 2;
}
