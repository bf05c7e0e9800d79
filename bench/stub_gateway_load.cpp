// Load on the stub gateway from a second process. The parent starts the stub cluster in-process,
// provisions one self_service access path over HTTP, then re-executes itself in `--load` mode so
// that the client side runs in a separate process (no shared allocator or scheduler effects).
// The child prints one line per scenario: requests/s, p50 and p99 latency.
//
// Usage: bench_stub_gateway_load [--threads N] [--requests N]   (defaults 16 x 200 per scenario)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "stubs/http/http_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/json.hpp"

namespace json = crm::util::json;
using crm::stubs::ClientRequest;
using crm::stubs::http_call;

namespace {

std::string post_admin(const std::string& base, const std::string& key, const std::string& path,
                       const json::value& body) {
    ClientRequest r;
    r.method = "POST";
    r.url = base + path;
    r.headers = {{"x-api-key", key}};
    r.body = json::serialize(body);
    auto reply = http_call(r);
    if (!reply || reply->status != 200) {
        std::fprintf(stderr, "provisioning failed at %s\n", path.c_str());
        std::exit(3);
    }
    return reply->body;
}

std::int64_t data_id(const std::string& body) { return json::parse(body).at("data").at("id").as_int64(); }

std::string provision(const crm::stubs::StubEndpoints& ep) {
    const auto& base = ep.host_url;
    const auto& key = ep.admin_api_key;
    const auto gid =
        data_id(post_admin(base, key, "/api/v1/admin/groups",
                           json::object{{"name", "bench"}, {"platform", "deepseek"}, {"rate_multiplier", 1}}));
    for (int i = 0; i < 2; ++i)
        post_admin(base, key, "/api/v1/admin/accounts",
                   json::object{{"name", "bench-" + std::to_string(i)},
                                {"platform", "deepseek"},
                                {"type", "apikey"},
                                {"credentials",
                                 json::object{{"api_key", ep.upstream_keys.at("deepseek")},
                                              {"base_url", ep.upstream_urls.at("deepseek")},
                                              {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}},
                                {"group_ids", json::array{gid}}});
    const auto uid = data_id(
        post_admin(base, key, "/api/v1/admin/users",
                   json::object{{"email", "bench@example.com"}, {"password", "bench-password"}, {"balance", 1000}}));
    (void)uid;
    ClientRequest login;
    login.method = "POST";
    login.url = base + "/api/v1/auth/login";
    login.body = R"({"email":"bench@example.com","password":"bench-password"})";
    auto token = json::parse(http_call(login)->body).at("data").at("access_token").as_string();
    ClientRequest k;
    k.method = "POST";
    k.url = base + "/api/v1/keys";
    k.headers = {{"Authorization", "Bearer " + std::string(token)}};
    k.body = json::serialize(json::object{{"name", "bench"}, {"group_id", gid}});
    return std::string(json::parse(http_call(k)->body).at("data").at("key").as_string());
}

void run_scenario(const char* label, const std::string& method, const std::string& url, const std::string& key,
                  const std::string& body, int threads, int per_thread) {
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
    std::atomic<int> errors{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                ClientRequest r;
                r.method = method;
                r.url = url;
                r.headers = {{"Authorization", "Bearer " + key}};
                r.body = body;
                const auto t0 = std::chrono::steady_clock::now();
                auto reply = http_call(r);
                const auto t1 = std::chrono::steady_clock::now();
                if (!reply || reply->status != 200) ++errors;
                lat[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            }
        });
    }
    for (auto& th : pool) th.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all.empty()
                   ? 0.0
                   : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))];
    };
    std::printf("%-28s requests=%zu errors=%d threads=%d  %.0f req/s  p50=%.2f ms  p99=%.2f ms\n", label, all.size(),
                errors.load(), threads, static_cast<double>(all.size()) / secs, pct(0.50), pct(0.99));
    std::fflush(stdout);
}

int load_mode(const std::string& host, const std::string& key, int threads, int requests) {
    run_scenario("GET /v1/models", "GET", host + "/v1/models", key, {}, threads, requests);
    run_scenario("POST /v1/chat/completions", "POST", host + "/v1/chat/completions", key,
                 R"({"model":"deepseek-chat","messages":[{"role":"user","content":"ping"}]})", threads, requests);
    run_scenario("POST chat (stream)", "POST", host + "/v1/chat/completions", key,
                 R"({"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"ping"}]})", threads,
                 requests);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 16, requests = 200;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--requests") == 0) requests = std::max(1, std::atoi(argv[i + 1]));
    }
    if (argc >= 4 && std::strcmp(argv[1], "--load") == 0) {
        // --load HOST KEY THREADS REQUESTS ; the key travels via argv of our own child only.
        return load_mode(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
    }
    auto cluster = crm::stubs::StubCluster::start({});
    if (!cluster) {
        std::fprintf(stderr, "cannot start stubs: %s\n", cluster.error().describe().c_str());
        return 3;
    }
    const auto key = provision((*cluster)->endpoints());
    std::printf("stub gateway load: server in pid %d, client in a child process; new connection per request\n",
                ::getpid());
    std::fflush(stdout);
    const std::string t = std::to_string(threads), n = std::to_string(requests);
    const std::string host = (*cluster)->endpoints().host_url;
    pid_t child = ::fork();
    if (child == 0) {
        const char* args[] = {"/proc/self/exe", "--load", host.c_str(), key.c_str(), t.c_str(), n.c_str(), nullptr};
        ::execv("/proc/self/exe", const_cast<char* const*>(args));
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    (*cluster)->stop();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
