// Input files that are not what their path promises (a FIFO, /dev/zero, a directory, a huge
// file) are refused in one line naming the file, exit 3, before any network call or bundle.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

// run_cli with a deadline: a command that blocks (the old behaviour on a FIFO) is killed and
// reported as exit -1 instead of hanging the suite.
Finished run_bounded(const std::vector<std::string>& args, std::chrono::seconds limit) {
    auto s = spawn_cli(args);
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(s.pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(s.pid, SIGKILL);
            ::waitpid(s.pid, &status, 0);
            fs::remove_all(s.out_file.parent_path());
            return Finished{-1, "", "killed: still running after the deadline"};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Finished f;
    f.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    f.out = crm::util::read_file(s.out_file).value_or("");
    f.err = crm::util::read_file(s.err_file).value_or("");
    fs::remove_all(s.out_file.parent_path());
    return f;
}

std::string healthy_scenario(std::string_view extra) {
    return fmt::format(R"({{"name": "inputs", "packs_dir": "{}", "host": {{"kind": "stub"{}}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}}{}}})",
                       packs_dir(), extra.starts_with(", \"profile\"") ? extra : "",
                       extra.starts_with(", \"gate\"") ? extra : "");
}

}  // namespace

TEST_CASE("e2e run: a FIFO, a device or a directory as scenario is refused in one line, exit 3") {
    auto dir = temp_dir("inputs");
    auto fifo = dir / "scenario.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto out = (dir / "out").string();

    auto r = run_bounded({"run", fifo.string(), "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err == fifo.string() + ": not a regular file (a FIFO)\n");

    r = run_bounded({"run", "/dev/zero", "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err == "/dev/zero: not a regular file (a character device)\n");

    r = run_bounded({"run", dir.string(), "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err == dir.string() + ": is a directory, not a file\n");

    r = run_bounded({"plan", "/dev/zero"}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK_FALSE(fs::exists(out));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a scenario over the size cap is refused before it is parsed") {
    auto dir = temp_dir("inputs");
    auto big = dir / "big.json";
    {
        std::ofstream f(big, std::ios::binary);
        f.seekp((300 << 20) - 1);  // sparse: 300 MiB on paper
        f.put('}');
    }
    auto r = run_bounded({"run", big.string(), "--out", (dir / "out").string()}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err == big.string() + ": larger than 4 MiB (300 MiB)\n");
    CHECK_FALSE(fs::exists(dir / "out"));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: --rules, a baseline and a fault profile that are not regular files are refused") {
    auto dir = temp_dir("inputs");
    auto out = (dir / "out").string();
    auto plain = write_scenario(dir, "plain.json", healthy_scenario(""));

    auto r = run_bounded({"run", plain, "--rules", "/dev/zero", "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("/dev/zero: not a regular file (a character device)") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

    auto with_baseline =
        write_scenario(dir, "baseline.json", healthy_scenario(R"(, "gate": {"baseline": "/dev/zero"})"));
    r = run_bounded({"run", with_baseline, "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("/dev/zero: not a regular file (a character device)") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

    auto fifo = dir / "profile.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto with_profile = write_scenario(dir, "profile.json.scenario",
                                       healthy_scenario(fmt::format(R"(, "profile": "{}")", fifo.string())));
    r = run_bounded({"run", with_profile, "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(fifo.string() + ": not a regular file (a FIFO)") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: a pack file that is a FIFO or over the cap is refused, not skipped") {
    auto dir = temp_dir("inputs");
    auto packs = dir / "packs";
    fs::create_directories(packs);
    fs::copy(fs::path(packs_dir()) / "cn-core.json", packs / "cn-core.json");
    REQUIRE(::mkfifo((packs / "extra.json").c_str(), 0600) == 0);
    auto scenario = write_scenario(dir, "s.json",
                                   fmt::format(R"({{"name": "inputs", "packs_dir": "{}",
  "host": {{"kind": "stub"}},
  "matrix": {{"modes": ["self_service"], "providers": [{{"pack": "cn-core", "provider": "deepseek"}}]}}}})",
                                               packs.string()));
    auto out = (dir / "out").string();
    auto r = run_bounded({"run", scenario, "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find((packs / "extra.json").string() + ": not a regular file (a FIFO)") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

    fs::remove(packs / "extra.json");
    {
        std::ofstream f(packs / "extra.json", std::ios::binary);
        f.seekp((6 << 20) - 1);
        f.put('}');
    }
    r = run_bounded({"run", scenario, "--out", out}, std::chrono::seconds(30));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find((packs / "extra.json").string() + ": larger than 4 MiB (6 MiB)") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    fs::remove_all(dir);
}
