#pragma once
// Fabricating an evidence history honestly, through the CLI: each bundle is written by a real
// `crm-accept run` against the built-in stub host, stamped at a chosen instant with
// CRM_ACCEPT_NOW (harness/evidence/clock.hpp) — never by editing JSON. Runs are narrowed with
// --only to keep each one to a cell or two.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "tests/e2e/cli_process.hpp"
#include "util/files.hpp"

namespace crm::e2e {

inline std::string default_scenario() { return std::string(CRM_SOURCE_DIR) + "/scenarios/default.json"; }

// Runs `scenario` into `root` as of `now` (an ISO-8601 instant), returns the new bundle folder.
// `gate_exit` is the exit code the run must end with (a run of a failing scenario still writes a
// trustworthy bundle: it proves the failure).
inline std::filesystem::path record_run(const std::filesystem::path& root, const std::string& now,
                                        const std::string& only = "self_service__kimi",
                                        const std::string& scenario = default_scenario(), int gate_exit = 0) {
    std::set<std::filesystem::path> before;
    if (std::filesystem::exists(root)) {
        for (const auto& e : std::filesystem::directory_iterator(root)) before.insert(e.path());
    }
    auto r = run_cli({"run", scenario, "--out", root.string(), "--only", only, "--quiet"}, {{"CRM_ACCEPT_NOW", now}});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == gate_exit);
    for (const auto& e : std::filesystem::directory_iterator(root)) {
        if (e.is_directory() && !before.contains(e.path())) return e.path();
    }
    FAIL("the run wrote no new bundle under " << root.string());
    return {};
}

// Changes one byte of an artifact of the bundle's first cell, the way an edit after the run would:
// verify's manifest check no longer holds.
inline void tamper_artifact(const std::filesystem::path& bundle) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(bundle)) {
        if (e.path().filename() != "01-host-health.json") continue;
        auto text = util::read_file(e.path());
        REQUIRE(text.has_value());
        REQUIRE(!text->empty());
        (*text)[0] = (*text)[0] == '{' ? '[' : '{';
        REQUIRE(util::write_atomic(e.path(), *text).has_value());
        return;
    }
    FAIL("no 01-host-health.json under " << bundle.string());
}

}  // namespace crm::e2e
