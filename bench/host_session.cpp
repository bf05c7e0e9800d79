// Host session benchmark: the default matrix (both modes x three providers, planted faults
// included) on an in-process stub host that answers every request after a fixed latency (the
// profile's host.latency_ms, default 20 ms here; upstreams answer at once). Cells run one after
// another, so the stub's request counters can be read per cell. Two passes over the same host:
//   shared    one host session for the run (one admin login, one capability probe), as `run` does;
//   per_call  a new admin client and a new capability probe per engine call and for step 12,
//             the behaviour before host sessions.
// Prints, per cell: host requests, the cell's wall time and its dependency floor.
// Usage: bench_host_session [LATENCY_MS] [--login]   (--login: the admin signs in with email and
// password instead of the admin API key, so every new admin client costs a login request).
//
// The floor: a cell sends its host requests strictly one after another (each step waits for the
// answer before the next request), so every request it sends is on its dependency chain, and
// each one costs at least the host's latency. floor = host requests x latency. Upstream calls
// (direct probes, the host's forwarding) have no injected latency here and add nothing. The gap
// wall - floor is local work (curl, SQLite, JSON, artifacts); fewer requests lower the floor.
// Then both modes once more with every cell in parallel: total requests and the run's wall time.
#include "engine/host/host_session.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "harness/runner/artifact_sink.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/runner.hpp"
#include "harness/session/run_setup.hpp"
#include "probes/http/transport.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Reuse = engine::HostSessions::Reuse;

namespace {

// Artifacts are not what this measures.
class NullSink final : public harness::runner::ArtifactSink {
  public:
    util::Result<void> write_json(std::string_view, const util::json::value&) override { return {}; }
    util::Result<void> write_text(std::string_view, std::string_view) override { return {}; }
    util::Result<void> write_cell_summary(const harness::runner::CellReport&, const util::json::object&) override {
        return {};
    }
};

std::uint64_t host_requests(const stubs::StubCluster& c) {
    std::uint64_t n = 0;
    for (const auto& [route, count] : c.counters().host_routes) n += count;
    return n;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Rig {
    harness::session::Prepared& prepared;
    harness::session::HostsUp& up;
    engine::StateStore& store;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    util::EnvLookup env;
};

harness::runner::PipelineDeps pipeline_deps(Rig& rig, harness::runner::ArtifactSink& sink) {
    return harness::runner::PipelineDeps{
        rig.prepared.scenario, rig.up.hosts,       rig.store, rig.http, rig.secrets,        rig.env,
        rig.prepared.packs,    rig.prepared.rules, sink,      {},       util::random_hex(3)};
}

// One pass over the matrix: a pipeline with its own host sessions.
struct Pass {
    NullSink sink;
    engine::HostSessions sessions;
    harness::runner::CellPipeline pipeline;
    harness::runner::RunEvents events;
    std::atomic<bool> interrupted{false};
    const stubs::StubCluster& cluster;

    Pass(Rig& rig, Reuse reuse)
        : sessions(rig.http, rig.secrets, reuse),
          pipeline(pipeline_deps(rig, sink), &sessions),
          cluster(*rig.up.clusters.front()) {}
};

// Every cell in turn; returns the sum of requests.
std::uint64_t sequential(Rig& rig, Reuse reuse, const char* label, int latency_ms) {
    Pass pass(rig, reuse);
    std::uint64_t total = 0;
    double wall_total = 0;
    for (const auto& cell : rig.prepared.cells) {
        const auto before = host_requests(pass.cluster);
        const auto t0 = Clock::now();
        auto report = pass.pipeline.run_cell(cell, pass.interrupted, pass.events);
        const double wall = ms_since(t0);
        const auto n = host_requests(pass.cluster) - before;
        const double floor = static_cast<double>(n) * latency_ms;
        total += n;
        wall_total += wall;
        std::printf("%-9s %-28s %-26s %9llu %9.0f %9.0f %7.2f\n", label, cell.id.c_str(),
                    std::string(harness::classify::to_string(report.classification.cause)).c_str(),
                    static_cast<unsigned long long>(n), wall, floor, floor > 0 ? wall / floor : 0.0);
    }
    std::printf("%-9s %-28s %-26s %9llu %9.0f %9.0f\n", label, "(all cells)", "",
                static_cast<unsigned long long>(total), wall_total, static_cast<double>(total) * latency_ms);
    return total;
}

void parallel(Rig& rig, Reuse reuse, const char* label) {
    Pass pass(rig, reuse);
    const auto before = host_requests(pass.cluster);
    const auto t0 = Clock::now();
    auto reports = harness::runner::run_cells(rig.prepared.cells, pass.pipeline, pass.events, pass.interrupted, 0);
    const double wall = ms_since(t0);
    double slowest = 0;
    for (const auto& r : reports) slowest = std::max(slowest, r.elapsed_ms);
    std::printf("%-9s %6zu cells in parallel: %llu host requests, run wall %.0f ms, slowest cell %.0f ms\n", label,
                reports.size(), static_cast<unsigned long long>(host_requests(pass.cluster) - before), wall, slowest);
}

}  // namespace

int main(int argc, char** argv) {
    int latency_ms = 20;
    bool admin_login = false;  // --login: the admin email + password instead of the admin key
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--login")
            admin_login = true;
        else
            latency_ms = std::atoi(argv[i]);
    }
    const auto dir = fs::temp_directory_path() / ("crm-bench-" + util::random_hex(4));
    fs::create_directories(dir);
    const auto profile = dir / "host-latency.json";
    (void)util::write_atomic(profile, fmt::format(R"({{"name": "host_latency", "description": "bench", )"
                                                  R"("host": {{"latency_ms": {}}}, "upstream": {{}}}})",
                                                  latency_ms));
    auto defaults = util::read_file(std::string(CRM_SOURCE_DIR) + "/scenarios/default.json");
    if (!defaults) {
        std::fprintf(stderr, "cannot read scenarios/default.json\n");
        return 1;
    }
    std::string text = *defaults;
    const std::string healthy = R"("profile": "healthy")";
    const std::string packs = R"("packs_dir": "../packs")";
    if (auto pos = text.find(healthy); pos != std::string::npos)
        text.replace(pos, healthy.size(), fmt::format(R"("profile": "{}")", profile.string()));
    if (auto pos = text.find(packs); pos != std::string::npos)
        text.replace(pos, packs.size(), fmt::format(R"("packs_dir": "{}/packs")", CRM_SOURCE_DIR));
    const auto scenario = dir / "default-host-latency.json";
    (void)util::write_atomic(scenario, text);

    util::EnvLookup env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    auto prepared = harness::session::prepare(scenario.string(), env, {}, "");
    if (!prepared) {
        std::fprintf(stderr, "scenario: %s\n", prepared.error().message.c_str());
        return 1;
    }
    util::SecretRegistry secrets;
    auto up = harness::session::bring_up_hosts(*prepared, secrets);
    if (!up || up->clusters.empty() || !up->clusters.front()) {
        std::fprintf(stderr, "stub host: %s\n", up ? "not started" : up.error().message.c_str());
        return 1;
    }
    if (admin_login) {
        const auto& ep = up->clusters.front()->endpoints();
        up->hosts.front().target.admin = {"", ep.admin_email, ep.admin_password};
    }
    auto store = engine::StateStore::open(dir / "state.sqlite");
    if (!store) {
        std::fprintf(stderr, "state: %s\n", store.error().message.c_str());
        return 1;
    }
    auto http = probes::make_curl_transport();
    Rig rig{*prepared, *up, *store, *http, secrets, env};

    std::printf("host_session: default matrix (%zu cells), stub host latency %d ms per request, admin %s\n",
                prepared->cells.size(), latency_ms, admin_login ? "login (email + password)" : "API key");
    std::printf("%-9s %-28s %-26s %9s %9s %9s %7s\n", "sessions", "cell", "cause", "requests", "wall_ms", "floor_ms",
                "w/f");
    const auto shared = sequential(rig, Reuse::per_host, "shared", latency_ms);
    const auto per_call = sequential(rig, Reuse::per_call, "per_call", latency_ms);
    std::printf("requests per run: shared %llu, per_call %llu (%.0f%% fewer)\n",
                static_cast<unsigned long long>(shared), static_cast<unsigned long long>(per_call),
                per_call > 0 ? 100.0 * static_cast<double>(per_call - shared) / static_cast<double>(per_call) : 0.0);
    parallel(rig, Reuse::per_host, "shared");
    parallel(rig, Reuse::per_call, "per_call");
    for (auto& c : up->clusters) {
        if (c) c->stop();
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
