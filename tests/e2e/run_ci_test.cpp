// `run` and `merge` under CI: progress lines on a piped stderr, GitHub's step summary and
// workflow commands, GitLab's dotenv report, and --shard auto's usage error.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE(
    "e2e run under CI: a start and end line per cell on piped stderr, GitHub annotations and step summary, "
    "the gate in --dotenv") {
    auto dir = temp_dir("ci");
    auto path = write_scenario(dir, "wrong.json",
                               fmt::format(R"({{"name": "wrong", "packs_dir": "{}",
  "host": {{"kind": "stub"}}, "matrix": {{"modes": ["self_service", "subscription"],
  "providers": [{{"pack": "cn-core", "provider": "deepseek", "profile": "host_chat_incompatible",
                  "expect": "ready"}}]}}}})",
                                           packs_dir()));
    const auto summary_file = dir / "step-summary.md";
    REQUIRE(crm::util::write_atomic(summary_file, "earlier step\n").has_value());
    auto r = run_cli({"run", path, "--out", (dir / "out").string(), "--dotenv", (dir / "crm.env").string()},
                     {{"GITHUB_ACTIONS", "true"},
                      {"GITHUB_STEP_SUMMARY", summary_file.string()},
                      {"CRM_ARTIFACT_NAME", "acceptance-wrong"}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto bundle = only_bundle(dir / "out");

    // Progress: stderr is a file here, so one line per start and end, never an escape sequence.
    CHECK(count(r.err, "] start ") == 2);
    CHECK(count(r.err, "] end   ") == 2);
    CHECK(r.err.find("] end   self_service__deepseek cause=host_compatibility_gap gate=expectation_mismatch "
                     "elapsed=") != std::string::npos);
    CHECK(r.err.find('\033') == std::string::npos);
    CHECK(r.out.find('\033') == std::string::npos);

    // Workflow commands on stdout: one error per mismatching cell and one for the gate.
    CHECK(r.out.find("::error title=crm-accept self_service__deepseek%3A expectation_mismatch::"
                     "host_compatibility_gap: ") != std::string::npos);
    CHECK(r.out.find("::error title=crm-accept subscription__deepseek%3A expectation_mismatch::") != std::string::npos);
    CHECK(count(r.out, "::error title=crm-accept gate%3A ") == 1);

    // The step summary is appended, names the artifact and links nothing inside the bundle.
    auto md = crm::util::read_file(summary_file).value_or("");
    CHECK(md.starts_with("earlier step\n## crm-accept: wrong: gate "));
    CHECK(md.find("| self_service__deepseek | `host_compatibility_gap` |") != std::string::npos);
    CHECK(md.find("in the artifact **acceptance-wrong**") != std::string::npos);
    CHECK(md.find(fmt::format("`{}`", bundle.filename().string())) != std::string::npos);
    CHECK(md.find("](self_service__deepseek/") == std::string::npos);

    CHECK(crm::util::read_file(dir / "crm.env").value_or("") ==
          fmt::format("CRM_GATE=failed\nCRM_EXIT=1\nCRM_BUNDLE={}\nCRM_BUNDLE_NAME={}\n", bundle.string(),
                      bundle.filename().string()));
    fs::remove_all(dir);
}

TEST_CASE("e2e run: --shard auto with no CI index in the environment is one line and exit 64") {
    auto dir = temp_dir("auto");
    auto r = run_cli({"run", "--shard", "auto", "--out", dir.string()}, {{"CI_NODE_INDEX", ""}});
    CHECK(r.exit_code == 64);
    CHECK(r.err.starts_with("crm-accept run: --shard auto: "));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
}

// An installed crm-accept (<prefix>/bin) run from outside the checkout: the default scenario and
// its packs come from <prefix>/share/crm-accept; without them, one line says where it looked.
TEST_CASE(
    "e2e plan outside the checkout: an installed layout finds share/crm-accept and a bare binary names "
    "where it looked and CRM_ACCEPT_HOME") {
    auto prefix = temp_dir("installed");
    fs::create_directories(prefix / "bin");
    const auto bin = prefix / "bin" / "crm-accept";
    std::error_code ec;
    fs::create_hard_link(CRM_ACCEPT_BIN, bin, ec);  // /proc/self/exe names the link it ran through
    if (ec) fs::copy_file(CRM_ACCEPT_BIN, bin);
    fs::permissions(bin, fs::perms::owner_exec, fs::perm_options::add);

    auto bare = run_cli({"plan"}, {{"CRM_ACCEPT_HOME", ""}}, bin.string());
    CHECK(bare.exit_code == 3);
    CHECK(bare.err.starts_with("crm-accept plan: no scenario given and no scenarios/default.json found (looked at " +
                               (prefix / "bin" / "scenarios" / "default.json").string() + ", "));
    CHECK(bare.err.find((prefix / "share" / "crm-accept" / "scenarios" / "default.json").string()) !=
          std::string::npos);
    CHECK(bare.err.find("CRM_ACCEPT_HOME") != std::string::npos);
    CHECK(std::count(bare.err.begin(), bare.err.end(), '\n') == 1);

    const auto share = prefix / "share" / "crm-accept";
    fs::create_directories(share);
    for (const char* d : {"scenarios", "packs"})
        fs::copy(fs::path(CRM_SOURCE_DIR) / d, share / d, fs::copy_options::recursive);
    auto installed = run_cli({"plan", "--json"}, {{"CRM_ACCEPT_HOME", ""}}, bin.string());
    INFO(installed.err);
    CHECK(installed.exit_code == 0);
    auto plan = crm::util::parse_json(installed.out, "stdout").value_or(nullptr);
    const auto* scenario = crm::util::find(plan, "scenario");
    REQUIRE(scenario);
    CHECK(crm::util::get_string(*scenario, "path") ==
          std::optional<std::string>((share / "scenarios" / "default.json").string()));
    fs::remove_all(prefix);
}
