// Matrix overhead: the default matrix (both modes x three providers, planted faults included)
// against stubs whose upstreams answer after an injected latency (the `latency` profile,
// run-wide). Prints, for --jobs 8 (full parallelism) and --jobs 1, the wall time of the whole
// `crm-accept run` process, the critical path (the slowest cell's sum of network waits, from
// its 21-summary) and their ratio. Target at full parallelism: ratio <= 1.10.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/files.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
namespace json = crm::util::json;

namespace {

struct Measured {
    int exit_code = -1;
    double wall_s = 0;
    double critical_s = 0;
    double sum_network_s = 0;
    std::size_t cells = 0;
};

Measured measure(const std::string& scenario, unsigned jobs, const fs::path& out) {
    Measured m;
    std::string cmd = fmt::format("'{}' run '{}' --jobs {} --json --quiet --out '{}' 2>/dev/null", CRM_ACCEPT_BIN,
                                  scenario, jobs, out.string());
    auto t0 = std::chrono::steady_clock::now();
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return m;
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    int status = ::pclose(p);
    m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    auto v = crm::util::parse_json(text, "run --json");
    if (!v) return m;
    const auto* cells = crm::util::find(*v, "cells");
    if (!cells || !cells->is_array()) return m;
    for (const auto& c : cells->get_array()) {
        double net = crm::util::get_number(c, "network_ms").value_or(0) / 1000.0;
        m.critical_s = std::max(m.critical_s, net);
        m.sum_network_s += net;
        ++m.cells;
    }
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    int latency_ms = argc > 1 ? std::atoi(argv[1]) : 300;
    auto dir = fs::temp_directory_path() / ("crm-bench-" + crm::util::random_hex(4));
    fs::create_directories(dir);
    // A latency profile file (the embedded `latency` profile with this bench's latency).
    auto profile = dir / "latency.json";
    (void)crm::util::write_atomic(
        profile,
        fmt::format(R"({{"name": "latency", "description": "bench", "host": {{}}, "upstream": {{"latency_ms": {}}}}})",
                    latency_ms));
    auto defaults = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/scenarios/default.json");
    if (!defaults) {
        std::fprintf(stderr, "cannot read scenarios/default.json\n");
        return 1;
    }
    std::string text = *defaults;
    auto pos = text.find(R"("profile": "healthy")");
    if (pos != std::string::npos) text.replace(pos, 20, fmt::format(R"("profile": "{}")", profile.string()));
    auto packs = text.find(R"("packs_dir": "../packs")");
    if (packs != std::string::npos) text.replace(packs, 23, fmt::format(R"("packs_dir": "{}/packs")", CRM_SOURCE_DIR));
    auto scenario = dir / "default-latency.json";
    (void)crm::util::write_atomic(scenario, text);

    std::printf("matrix_overhead: default matrix (6 cells), upstream latency %d ms per call\n", latency_ms);
    std::printf("%-8s %6s %10s %14s %8s %16s %5s\n", "jobs", "cells", "wall_s", "critical_s", "ratio", "sum_network_s",
                "exit");
    for (unsigned jobs : {8u, 1u}) {
        auto m = measure(scenario.string(), jobs, dir / fmt::format("out-{}", jobs));
        double ratio = m.critical_s > 0 ? m.wall_s / m.critical_s : 0;
        std::printf("%-8u %6zu %10.3f %14.3f %8.3f %16.3f %5d\n", jobs, m.cells, m.wall_s, m.critical_s, ratio,
                    m.sum_network_s, m.exit_code);
    }
    std::printf(
        "ratio = wall / critical path; target <= 1.10 at full parallelism. With --jobs 1 the wall time\n"
        "approaches the sum of every cell's network waits instead.\n");
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
