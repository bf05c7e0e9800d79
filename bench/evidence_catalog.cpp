// Evidence catalog benchmark: an evidence root of N bundles (default 1,000), listed
//   1. cold: `crm-accept list --reindex` (every bundle read and verified, the index rebuilt);
//   2. warm: `crm-accept list` with the index current (a stat walk per bundle, no reads);
//   3. the same two for `crm-accept board` (the truth board over every bundle);
//   4. a plain `find ROOT -name 00-run.json | xargs jq` over the same tree (reads each run record,
//      verifies nothing), skipped with a note when jq is absent;
// side by side in one run, as wall time and as a ratio to the warm list.
//
// The root is made by running the default scenario ONCE and copying that bundle N times under
// new, increasing stamps. Every copy is a real, verifiable bundle (verify checks file contents,
// not folder names), so a read benchmark over copies is honest; it says so in its output.
//
// Adding a row (another verb over the same root) is one line in `rows` below.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/random.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Runs argv with stdout and stderr to /dev/null; the exit code (-1 when it could not start).
int spawn_quiet(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have(const char* tool) {
    return spawn_quiet({"sh", "-c", fmt::format("command -v {} >/dev/null 2>&1", tool)}) == 0;
}

struct Timed {
    double seconds = 0;
    int exit_code = 0;
};

Timed time_it(const std::vector<std::string>& args) {
    const auto t0 = Clock::now();
    const int rc = spawn_quiet(args);
    return {std::chrono::duration<double>(Clock::now() - t0).count(), rc};
}

struct Row {
    std::string name;
    std::string what;
    std::function<std::optional<Timed>()> run;  // nullopt: skipped (the note says why)
    std::string skip_note;
};

// "20261101_090000" + n minutes, as a folder stamp (no calendar needed: minutes wrap into hours
// and days inside November).
std::string stamp_for(int n) {
    const int minute = n % 60, hour = (n / 60) % 24, day = 1 + n / (60 * 24);
    return fmt::format("202611{:02}_{:02}{:02}00", day, hour, minute);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show up while it runs
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    const std::string bin = CRM_ACCEPT_BIN;
    const fs::path work = fs::temp_directory_path() / ("crm-bench-catalog-" + crm::util::random_hex(6));
    const fs::path seed_root = work / "seed";
    const fs::path root = work / "root";
    fs::create_directories(root);

    std::printf("evidence catalog: seeding one real run of scenarios/default.json ...\n");
    const int run_rc = spawn_quiet(
        {bin, "run", std::string(CRM_SOURCE_DIR) + "/scenarios/default.json", "--out", seed_root.string(), "--quiet"});
    fs::path seed;
    for (const auto& e : fs::directory_iterator(seed_root)) seed = e.path();
    if (run_rc != 0 || seed.empty()) {
        std::fprintf(stderr, "the seed run failed (exit %d)\n", run_rc);
        return 3;
    }
    const auto t_copy = Clock::now();
    std::uintmax_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(seed)) files += e.is_regular_file() ? 1 : 0;
    for (int i = 0; i < count; ++i) {
        fs::copy(seed, root / (stamp_for(i) + "_default"), fs::copy_options::recursive);
    }
    std::printf(
        "root: %d bundles, %ju files each: COPIES of that one bundle under new stamps\n"
        "      (honest for a read benchmark: each copy verifies like the original), made in %.1f s\n\n",
        count, files, std::chrono::duration<double>(Clock::now() - t_copy).count());

    const bool jq = have("jq");
    const std::string jq_scan = fmt::format(
        "find {} -name 00-run.json -print0 | xargs -0 jq -c "
        "'{{status, scenario: .scenario.name, started_at, host: .host.url}}' >/dev/null",
        root.string());
    const std::vector<Row> rows{
        {"list cold", "list --reindex: read + verify every bundle, rebuild the index",
         [&] { return std::optional(time_it({bin, "list", "--root", root.string(), "--reindex"})); }, ""},
        {"list warm", "list: index current, stat walk only",
         [&] { return std::optional(time_it({bin, "list", "--root", root.string()})); }, ""},
        {"board cold", "board --reindex: the truth board from a rebuilt index",
         [&] { return std::optional(time_it({bin, "board", "--root", root.string(), "--reindex"})); }, ""},
        {"board warm", "board: index current",
         [&] { return std::optional(time_it({bin, "board", "--root", root.string()})); }, ""},
        {"find | jq", "find 00-run.json | xargs jq: run records only, verifies nothing",
         [&]() -> std::optional<Timed> {
             if (!jq) return std::nullopt;
             return time_it({"sh", "-c", jq_scan});
         },
         "jq not installed (scripts/bootstrap installs it)"},
    };

    std::vector<std::pair<const Row*, std::optional<Timed>>> results;
    for (const auto& row : rows) results.emplace_back(&row, row.run());
    double warm = 0;
    for (const auto& [row, t] : results) {
        if (row->name == "list warm" && t) warm = t->seconds;
    }
    std::printf("%-11s  %9s  %9s  %s\n", "what", "seconds", "x warm", "how");
    for (const auto& [row, t] : results) {
        if (!t) {
            std::printf("%-11s  %9s  %9s  skipped: %s\n", row->name.c_str(), "-", "-", row->skip_note.c_str());
            continue;
        }
        const std::string ratio = warm > 0 ? fmt::format("{:.1f}", t->seconds / warm) : "-";
        std::printf("%-11s  %9.3f  %9s  %s%s\n", row->name.c_str(), t->seconds, ratio.c_str(), row->what.c_str(),
                    t->exit_code == 0 ? "" : fmt::format(" (exit {})", t->exit_code).c_str());
    }
    std::error_code ec;
    fs::remove_all(work, ec);
    return 0;
}
