#include "harness/ci/ci_outputs.hpp"

#include <fmt/format.h>

#include <fstream>
#include <ostream>

#include "harness/ci/workflow_commands.hpp"
#include "harness/evidence/report.hpp"
#include "util/files.hpp"

namespace crm::harness::ci {

namespace fs = std::filesystem;

namespace {

// A dotenv value is one line; GitLab reads it verbatim up to the end of the line.
std::string one_line(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

std::string gate_word(const evidence::RunSummary& s) {
    if (!s.gate.decision.empty()) return s.gate.decision;
    return s.gate.passed ? "passed" : "failed";
}

// GITHUB_STEP_SUMMARY is shared by every step of the job: append, never replace.
std::optional<std::string> append(const fs::path& path, std::string_view text) {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    if (f) f << text;
    if (f) f.flush();
    if (!f) return fmt::format("cannot append the step summary to {} (GITHUB_STEP_SUMMARY)", path.string());
    return std::nullopt;
}

}  // namespace

CiRequest ci_request(const util::EnvLookup& env, std::string dotenv) {
    CiRequest r;
    if (auto p = env("GITHUB_STEP_SUMMARY"); p && !p->empty()) r.step_summary = *p;
    r.github_actions = env("GITHUB_ACTIONS") == std::optional<std::string>("true");
    r.dotenv = std::move(dotenv);
    r.artifact = env("CRM_ARTIFACT_NAME").value_or("");
    auto server = env("GITHUB_SERVER_URL"), repo = env("GITHUB_REPOSITORY"), run = env("GITHUB_RUN_ID");
    if (server && repo && run && !server->empty() && !repo->empty() && !run->empty())
        r.run_url = fmt::format("{}/{}/actions/runs/{}", *server, *repo, *run);
    return r;
}

std::string dotenv_text(const evidence::RunSummary& summary, const fs::path& bundle_dir) {
    return fmt::format("CRM_GATE={}\nCRM_EXIT={}\nCRM_BUNDLE={}\nCRM_BUNDLE_NAME={}\n", one_line(gate_word(summary)),
                       summary.exit_code, one_line(bundle_dir.string()), one_line(bundle_dir.filename().string()));
}

std::vector<std::string> publish(const CiRequest& request, const evidence::RunSummary& summary, std::string_view status,
                                 const fs::path& bundle_dir, const Scrub& scrub, std::ostream& out) {
    std::vector<std::string> problems;
    if (!request.step_summary.empty()) {
        const std::string name = bundle_dir.filename().string();
        evidence::StepSummaryContext where{name, request.artifact.empty() ? name : request.artifact, request.run_url};
        auto md = evidence::render_step_summary_md(summary, status, where, evidence::builtin_templates());
        if (!md) {
            problems.push_back(md.error().message);
        } else if (auto bad = append(request.step_summary, scrub(*md))) {
            problems.push_back(*bad);
        }
    }
    if (request.github_actions) {
        for (const auto& line : annotations(summary)) out << scrub(line);
        out << std::flush;
    }
    if (!request.dotenv.empty()) {
        if (auto w = util::write_atomic(request.dotenv, scrub(dotenv_text(summary, bundle_dir))); !w)
            problems.push_back(fmt::format("--dotenv: {}", w.error().message));
    }
    return problems;
}

}  // namespace crm::harness::ci
