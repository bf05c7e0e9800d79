#pragma once
// Spawning the built crm-accept binary for e2e tests: argv in, exit code + captured output out.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/files.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

extern char** environ;

namespace crm::e2e {

struct Spawned {
    pid_t pid = -1;
    std::filesystem::path out_file, err_file;
};

struct Finished {
    int exit_code = -1;
    std::string out, err;
};

inline std::filesystem::path temp_dir(std::string_view tag) {
    auto d = std::filesystem::temp_directory_path() / ("crm-e2e-" + std::string(tag) + "-" + util::random_hex(5));
    std::filesystem::create_directories(d);
    return d;
}

// The variables a CI job sets that change what crm-accept prints or writes (step summaries,
// workflow commands, --shard auto): never inherited from the CI running the tests.
inline const std::set<std::string> k_ci_vars = {"GITHUB_ACTIONS",  "GITHUB_STEP_SUMMARY", "CRM_ARTIFACT_NAME",
                                                "CI_NODE_INDEX",   "CI_NODE_TOTAL",       "JOB_COMPLETION_INDEX",
                                                "CRM_SHARD_INDEX", "CRM_SHARD_TOTAL"};

// Starts CRM_ACCEPT_BIN with `args`; `env` entries are added to (or override) the environment,
// which is this process's without NO_COLOR (always set to 1) and the CI variables above.
// `binary` replaces the built crm-accept (a copy of it in an installed layout).
inline Spawned spawn_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                         const std::string& binary = CRM_ACCEPT_BIN) {
    Spawned s;
    auto dir = temp_dir("io");
    s.out_file = dir / "stdout";
    s.err_file = dir / "stderr";
    std::vector<std::string> argv_s{binary};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        auto name = kv.substr(0, kv.find('='));
        if (!env.contains(name) && name != "NO_COLOR" && !k_ci_vars.contains(name)) env_s.push_back(kv);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    env_s.push_back("NO_COLOR=1");
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, s.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, s.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn(&s.pid, argv_s[0].c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    return s;
}

inline Finished wait_cli(const Spawned& s) {
    Finished f;
    int status = 0;
    waitpid(s.pid, &status, 0);
    f.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    f.out = util::read_file(s.out_file).value_or("");
    f.err = util::read_file(s.err_file).value_or("");
    std::filesystem::remove_all(s.out_file.parent_path());
    return f;
}

inline Finished run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                        const std::string& binary = CRM_ACCEPT_BIN) {
    return wait_cli(spawn_cli(args, env, binary));
}

// The only bundle directory under `root` (runs create exactly one).
inline std::filesystem::path only_bundle(const std::filesystem::path& root) {
    std::filesystem::path found;
    for (const auto& e : std::filesystem::directory_iterator(root)) {
        if (e.is_directory()) found = e.path();
    }
    return found;
}

inline util::json::value read_json(const std::filesystem::path& p) {
    auto text = util::read_file(p);
    if (!text) return nullptr;
    auto v = util::parse_json(*text, p.string());
    return v ? *v : util::json::value(nullptr);
}

// A summary cell's id: "cell" (run --json) or the evidence writer's "folder".
inline std::string cell_id(const util::json::value& c) {
    if (auto id = util::get_string(c, "cell")) return *id;
    return util::get_string(c, "folder").value_or("?");
}

// cell id -> cause, from a summary.json
inline std::map<std::string, std::string> causes_of(const util::json::value& summary) {
    std::map<std::string, std::string> out;
    const auto* cells = util::find(summary, "cells");
    if (!cells || !cells->is_array()) return out;
    for (const auto& c : cells->get_array()) out[cell_id(c)] = util::get_string(c, "cause").value_or("?");
    return out;
}

// summary.json of a bundle whose evidence check failed: exit 4, audit not passed, gate failed.
// Returns the gate object for further checks (null when missing, after a failed CHECK).
inline util::json::value check_summary_says_audit_failed(const std::filesystem::path& bundle) {
    auto summary = read_json(bundle / "summary.json");
    CHECK(util::get_int(summary, "exit_code") == std::optional<std::int64_t>(4));
    const auto* audit = util::find(summary, "audit");
    CHECK(audit);
    if (audit) CHECK(util::get_bool(*audit, "passed") == std::optional<bool>(false));
    const auto* gate = util::find(summary, "gate");
    CHECK(gate);
    if (!gate) return nullptr;
    CHECK(util::get_bool(*gate, "passed") == std::optional<bool>(false));
    return *gate;
}

inline std::string packs_dir() { return std::string(CRM_SOURCE_DIR) + "/packs"; }

// Writes a scenario file into `dir` and returns its path.
inline std::string write_scenario(const std::filesystem::path& dir, std::string_view name, std::string_view text) {
    auto p = dir / name;
    (void)util::write_atomic(p, text);
    return p.string();
}

}  // namespace crm::e2e
