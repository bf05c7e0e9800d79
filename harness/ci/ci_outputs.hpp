#pragma once
// What `run` and `merge` hand a CI system besides their exit code and junit.xml, decided once
// from the environment (and --dotenv) by the CLI:
//   GITHUB_STEP_SUMMARY=FILE   append the step summary (evidence::render_step_summary_md): the
//                              gate, each cell, why the failing ones failed, and which artifact
//                              holds the bundle (links into the bundle would be dead there)
//   GITHUB_ACTIONS=true        print `::error` / `::warning` workflow commands, one per cell that
//                              does not pass and one for a failed gate, on the stream the caller
//                              passes (stdout; stderr when stdout carries --json)
//   --dotenv FILE              write CRM_GATE, CRM_EXIT, CRM_BUNDLE and CRM_BUNDLE_NAME as
//                              KEY=VALUE lines (a GitLab `artifacts:reports:dotenv` file: later
//                              jobs of the pipeline see them as variables)
// Everything written or printed passes through `scrub` (the run's secret registry) first.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/run_summary.hpp"
#include "util/env_expand.hpp"

namespace crm::harness::ci {

struct CiRequest {
    std::filesystem::path step_summary;  // GITHUB_STEP_SUMMARY; empty: none
    bool github_actions = false;         // GITHUB_ACTIONS=true
    std::filesystem::path dotenv;        // --dotenv FILE; empty: none
    std::string artifact;                // CRM_ARTIFACT_NAME; empty: named after the bundle
    std::string run_url;                 // the GitHub run's page, from GITHUB_SERVER_URL, _REPOSITORY, _RUN_ID

    [[nodiscard]] bool any() const { return !step_summary.empty() || github_actions || !dotenv.empty(); }
};

[[nodiscard]] CiRequest ci_request(const util::EnvLookup& env, std::string dotenv);

using Scrub = std::function<std::string(std::string_view)>;

// The dotenv file's text for a finished bundle.
[[nodiscard]] std::string dotenv_text(const evidence::RunSummary& summary, const std::filesystem::path& bundle_dir);

// Writes and prints what `request` asks for. A file that cannot be written is one line in the
// result (the caller prints it as a warning); the run's exit code never depends on it.
[[nodiscard]] std::vector<std::string> publish(const CiRequest& request, const evidence::RunSummary& summary,
                                               std::string_view status, const std::filesystem::path& bundle_dir,
                                               const Scrub& scrub, std::ostream& out);

}  // namespace crm::harness::ci
