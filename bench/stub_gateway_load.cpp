// Load on the stub gateway from a second process. The parent starts the stub cluster in-process,
// provisions one self_service access path over HTTP, then re-executes itself in `--load` mode so
// that the client side runs in a separate process (no shared allocator or scheduler effects).
//
// Two parts, one line per scenario:
//   1. new connection per request (`--threads` blocking clients): the cost a probe that does not
//      reuse connections sees, as before;
//   2. keep-alive at `--connections` (default 64) from one async client thread: the stub gateway
//      next to a trivial Beast server in the same parent process that answers every request with
//      the stub's own bytes (the ceiling on this loopback), and the ratio stub/ceiling.
//
// Usage: bench_stub_gateway_load [--threads N] [--requests N] [--connections N] [--keepalive-requests N]
//        (defaults 16 x 200 per new-connection scenario, 64 connections x 20000 requests keep-alive)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/keepalive_load.hpp"
#include "stubs/http/http_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/json.hpp"

namespace json = crm::util::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using crm::stubs::ClientRequest;
using crm::stubs::http_call;

namespace {

constexpr const char* k_chat_body = R"({"model":"deepseek-chat","messages":[{"role":"user","content":"ping"}]})";

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

struct Stats {
    std::size_t requests = 0;
    int errors = 0;
    double req_per_s = 0, p50 = 0, p99 = 0;
};

Stats summarize(std::vector<double> all, int errors, double secs) {
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all.empty()
                   ? 0.0
                   : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))];
    };
    return Stats{all.size(), errors, secs > 0 ? static_cast<double>(all.size()) / secs : 0.0, pct(0.50), pct(0.99)};
}

void run_scenario(const char* label, const std::string& method, const std::string& url, const std::string& key,
                  const std::string& body, int threads, int per_thread) {
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
    std::atomic<int> errors{0};
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                ClientRequest r;
                r.method = method;
                r.url = url;
                r.headers = {{"Authorization", "Bearer " + key}};
                r.body = body;
                const auto t0 = Clock::now();
                auto reply = http_call(r);
                const auto t1 = Clock::now();
                if (!reply || reply->status != 200) ++errors;
                lat[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            }
        });
    }
    for (auto& th : pool) th.join();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    const auto s = summarize(std::move(all), errors.load(), secs);
    std::printf("%-28s requests=%zu errors=%d threads=%d  %.0f req/s  p50=%.2f ms  p99=%.2f ms\n", label, s.requests,
                s.errors, threads, s.req_per_s, s.p50, s.p99);
    std::fflush(stdout);
}

// ---------------------------------------------------------------- keep-alive load client

Stats keepalive_scenario(const std::string& url, const std::string& method, const std::string& key,
                         const std::string& body, int connections, std::size_t requests) {
    auto parsed = crm::stubs::parse_http_url(url);
    if (!parsed) return {};
    crm::bench::KeepAlivePlan plan;
    plan.endpoint =
        tcp::endpoint(net::ip::make_address(parsed->host), static_cast<unsigned short>(std::stoi(parsed->port)));
    plan.request = http::request<http::string_body>{http::string_to_verb(method), parsed->path, 11};
    plan.request.set(http::field::host, parsed->host + ":" + parsed->port);
    plan.request.set(http::field::authorization, "Bearer " + key);
    if (!body.empty()) {
        plan.request.set(http::field::content_type, "application/json");
        plan.request.body() = body;
    }
    plan.request.keep_alive(true);
    plan.request.prepare_payload();
    plan.connections = connections;
    plan.budget = requests;
    plan.duration = std::chrono::seconds(60);  // bounded even against a stuck server
    plan.require_200 = true;
    auto r = crm::bench::run_keepalive_load(plan);
    return summarize(std::move(r.latencies_ms), r.errors, r.seconds);
}

void keepalive_pair(const char* label, const std::string& stub_url, const std::string& trivial_url,
                    const std::string& method, const std::string& key, const std::string& body, int connections,
                    std::size_t requests) {
    // Warm-up: connections and pools on both sides exist before anything is timed.
    (void)keepalive_scenario(stub_url, method, key, body, connections, static_cast<std::size_t>(connections) * 4);
    const auto stub = keepalive_scenario(stub_url, method, key, body, connections, requests);
    const auto ceiling = keepalive_scenario(trivial_url, method, key, body, connections, requests);
    std::printf(
        "%-26s stub %7.0f req/s p50=%6.2f p99=%6.2f ms err=%d | trivial Beast %7.0f req/s p50=%6.2f p99=%6.2f ms "
        "err=%d | stub/trivial %.2f\n",
        label, stub.req_per_s, stub.p50, stub.p99, stub.errors, ceiling.req_per_s, ceiling.p50, ceiling.p99,
        ceiling.errors, ceiling.req_per_s > 0 ? stub.req_per_s / ceiling.req_per_s : 0.0);
    std::fflush(stdout);
}

int load_mode(const std::string& host, const std::string& trivial, const std::string& key, int threads, int requests,
              int connections, int keepalive_requests) {
    std::printf("-- new connection per request, %d blocking client threads\n", threads);
    run_scenario("GET /v1/models", "GET", host + "/v1/models", key, {}, threads, requests);
    run_scenario("POST /v1/chat/completions", "POST", host + "/v1/chat/completions", key, k_chat_body, threads,
                 requests);
    run_scenario("POST chat (stream)", "POST", host + "/v1/chat/completions", key,
                 R"({"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"ping"}]})", threads,
                 requests);
    std::printf("-- keep-alive, %d connections, %d requests per scenario, one async client thread\n", connections,
                keepalive_requests);
    const auto n = static_cast<std::size_t>(keepalive_requests);
    keepalive_pair("GET /v1/models", host + "/v1/models", trivial + "/v1/models", "GET", key, {}, connections, n);
    keepalive_pair("POST chat (non-stream)", host + "/v1/chat/completions", trivial + "/v1/chat/completions", "POST",
                   key, k_chat_body, connections, n);
    return 0;
}

// ---------------------------------------------------------------- the trivial server (ceiling)

// The least an HTTP/1.1 keep-alive server on Beast can do: one async thread, read a request,
// answer fixed bytes (the stub's own answer for that method, so both move the same payload).
struct TrivialBodies {
    std::string get, post;
};

class TrivialSession : public std::enable_shared_from_this<TrivialSession> {
  public:
    TrivialSession(tcp::socket socket, const TrivialBodies& bodies) : m_stream(std::move(socket)), m_bodies(bodies) {}
    void read() {
        m_request = {};
        http::async_read(m_stream, m_buffer, m_request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->answer();
        });
    }

  private:
    void answer() {
        m_response = http::response<http::string_body>{http::status::ok, 11};
        m_response.set(http::field::content_type, "application/json");
        m_response.body() = m_request.method() == http::verb::get ? m_bodies.get : m_bodies.post;
        m_response.keep_alive(m_request.keep_alive());
        m_response.prepare_payload();
        http::async_write(m_stream, m_response, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec && self->m_response.keep_alive()) self->read();
        });
    }

    beast::tcp_stream m_stream;
    const TrivialBodies& m_bodies;
    beast::flat_buffer m_buffer;
    http::request<http::string_body> m_request;
    http::response<http::string_body> m_response;
};

struct TrivialServer {
    net::io_context io;
    tcp::acceptor acceptor{io};
    TrivialBodies bodies;
    std::thread thread;

    std::uint16_t start() {
        tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
        acceptor.open(ep.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(1024);
        accept();
        thread = std::thread([this] { io.run(); });
        return acceptor.local_endpoint().port();
    }
    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) return;
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<TrivialSession>(std::move(socket), bodies)->read();
            accept();
        });
    }
    void stop() {
        io.stop();
        if (thread.joinable()) thread.join();
    }
};

std::string fetch_body(const std::string& method, const std::string& url, const std::string& key,
                       const std::string& body) {
    ClientRequest r;
    r.method = method;
    r.url = url;
    r.headers = {{"Authorization", "Bearer " + key}};
    r.body = body;
    auto reply = http_call(r);
    if (!reply || reply->status != 200) {
        std::fprintf(stderr, "cannot fetch %s from the stub\n", url.c_str());
        std::exit(3);
    }
    return reply->body;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 9 && std::strcmp(argv[1], "--load") == 0) {
        // --load HOST TRIVIAL KEY THREADS REQUESTS CONNECTIONS KEEPALIVE_REQUESTS ; the key travels
        // via argv of our own child only.
        return load_mode(argv[2], argv[3], argv[4], std::atoi(argv[5]), std::atoi(argv[6]), std::atoi(argv[7]),
                         std::atoi(argv[8]));
    }
    int threads = 16, requests = 200, connections = 64, keepalive_requests = 20000;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--requests") == 0) requests = std::max(1, std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--connections") == 0) connections = std::max(1, std::atoi(argv[i + 1]));
        if (std::strcmp(argv[i], "--keepalive-requests") == 0) keepalive_requests = std::max(1, std::atoi(argv[i + 1]));
    }
    auto cluster = crm::stubs::StubCluster::start({});
    if (!cluster) {
        std::fprintf(stderr, "cannot start stubs: %s\n", cluster.error().describe().c_str());
        return 3;
    }
    const std::string host = (*cluster)->endpoints().host_url;
    const auto key = provision((*cluster)->endpoints());
    TrivialServer trivial;
    trivial.bodies.get = fetch_body("GET", host + "/v1/models", key, {});
    trivial.bodies.post = fetch_body("POST", host + "/v1/chat/completions", key, k_chat_body);
    const std::string trivial_url = "http://127.0.0.1:" + std::to_string(trivial.start());
    std::printf(
        "stub gateway load: servers (stub cluster, trivial Beast server) in pid %d, client in a child process\n",
        ::getpid());
    std::fflush(stdout);
    const std::string t = std::to_string(threads), n = std::to_string(requests), c = std::to_string(connections),
                      k = std::to_string(keepalive_requests);
    pid_t child = ::fork();
    if (child == 0) {
        const char* args[] = {"/proc/self/exe", "--load",  host.c_str(), trivial_url.c_str(), key.c_str(),
                              t.c_str(),        n.c_str(), c.c_str(),    k.c_str(),           nullptr};
        ::execv("/proc/self/exe", const_cast<char* const*>(args));
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    trivial.stop();
    (*cluster)->stop();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
