// verify's checks beyond the manifest, and `run`'s agreement with them: the bundle BundleWriter
// finalizes is checked by the very function `crm-accept verify` runs.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/component/harness/bundle_fixture.hpp"

namespace fs = std::filesystem;
using namespace crm::harness::evidence;
using namespace crm::test::bundle;
using crm::harness::ExitCode;

namespace {

// `crm-accept verify DIR`: its exit code, and the output lines that name a problem.
struct VerifyRun {
    ExitCode code;
    std::vector<std::string> problem_lines;
};

VerifyRun verify_cli(const fs::path& dir) {
    std::string out, err;
    VerifyRun r{run_cli({"verify", dir.string()}, out, err), {}};
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(dir.string())) r.problem_lines.push_back(line);
    }
    return r;
}

}  // namespace

TEST_CASE("evidence verify: a symlink to a directory outside the bundle is untrustworthy (exit 4)", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    auto outside = f.root / "outside";
    fs::create_directories(outside);
    {
        std::ofstream(outside / "x.json") << "{\"schema_version\": 1}\n";
    }
    fs::create_directory_symlink(outside, dir / "self_service__deepseek" / "more");
    auto r = verify_cli(dir);
    CHECK(r.code == ExitCode::audit_failed);
    REQUIRE(r.problem_lines.size() == 1);
    CHECK(r.problem_lines[0].starts_with("layout: self_service__deepseek/more: symlink to directory "));
}

TEST_CASE("evidence verify: a symlink to a file is reported and never read", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    auto outside = f.root / "secret.txt";
    {
        std::ofstream(outside) << "sk-" << std::string(40, 'a') << "\n";
    }
    fs::create_symlink(outside, dir / "notes.txt");
    auto v = verify(dir);
    REQUIRE(v);
    CHECK(v->audit_hits.empty());  // the target is not the bundle's to audit
    REQUIRE(v->layout_problems.size() == 1);
    CHECK(v->layout_problems[0].starts_with("notes.txt: symlink to "));
    CHECK(verify_cli(dir).code == ExitCode::audit_failed);
}

TEST_CASE("evidence verify: an empty directory is untrustworthy (exit 4)", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    fs::create_directories(dir / "self_service__deepseek" / "empty");
    auto r = verify_cli(dir);
    CHECK(r.code == ExitCode::audit_failed);
    CHECK(r.problem_lines == std::vector<std::string>{"layout: self_service__deepseek/empty: empty directory"});
}

TEST_CASE("evidence verify: a FIFO is untrustworthy (exit 4) and verify does not block on it", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    REQUIRE(::mkfifo((dir / "self_service__deepseek" / "pipe").c_str(), 0600) == 0);
    auto r = verify_cli(dir);
    CHECK(r.code == ExitCode::audit_failed);
    CHECK(r.problem_lines ==
          std::vector<std::string>{"layout: self_service__deepseek/pipe: FIFO (not a regular file)"});
}

TEST_CASE("evidence verify: a manifest line listed twice is untrustworthy (exit 4)", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    auto manifest = slurp(dir / k_manifest_name);
    {
        std::ofstream(dir / k_manifest_name, std::ios::app) << manifest.substr(0, manifest.find('\n') + 1);
    }
    auto r = verify_cli(dir);
    CHECK(r.code == ExitCode::audit_failed);
    CHECK(r.problem_lines == std::vector<std::string>{"manifest: duplicate 00-run.json"});
}

TEST_CASE("evidence verify: cell artifacts deleted before finalize fail the recorded artifact plan", "[evidence]") {
    Fixture f;
    // Deleted mid-run: the manifest, written afterwards, agrees with what is left.
    auto fin = f.finish_full_bundle([](const fs::path& dir) {
        fs::remove(dir / "self_service__deepseek" / "00-cell.json");
        fs::remove(dir / "self_service__deepseek" / "09-models.json");
    });
    CHECK_FALSE(fin.passed());
    auto dir = fin.check.bundle;
    auto v = verify(dir);
    REQUIRE(v);
    CHECK(v->manifest_ok());
    CHECK(v->plan_problems ==
          std::vector<std::string>{
              "self_service__deepseek/00-cell.json: missing (step 00 runs first in every cell that started)",
              "self_service__deepseek/09-models.json: missing (step 09-models is recorded as ran)"});
    CHECK(verify_cli(dir).code == ExitCode::audit_failed);
}

TEST_CASE("evidence verify: a skipped step needs no artifact; a cell folder outside the plan is reported",
          "[evidence]") {
    Fixture f;
    auto fin = f.finish_full_bundle([](const fs::path& dir) {
        // 08-subscription-group-state is planned and recorded as skipped: its file is not needed.
        fs::create_directories(dir / "self_service__kimi");
        {
            std::ofstream(dir / "self_service__kimi" / "00-cell.json") << "{\"schema_version\": 1}\n";
        }
    });
    auto v = verify(fin.check.bundle);
    REQUIRE(v);
    CHECK(v->plan_problems ==
          std::vector<std::string>{"self_service__kimi/: not a cell of the plan recorded in 00-run.json"});
}

TEST_CASE("evidence verify: a finished run must record its artifact plan", "[evidence]") {
    Fixture f;
    auto w = f.writer();
    auto run = run_summary();
    run.cells.clear();  // no matrix at all
    REQUIRE(w.begin(run));
    auto fin = w.finalize(run);
    REQUIRE(fin);
    CHECK_FALSE(fin->passed());
    CHECK(fin->check.plan_problems ==
          std::vector<std::string>{"00-run.json: records no artifact plan (matrix.cells_selected is missing)"});
}

TEST_CASE("evidence verify: invalid UTF-8 and an unsupported schema_version are reported", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    {
        std::ofstream(dir / "self_service__deepseek" / "10-chat.headers.txt", std::ios::app) << "x-bad: \xC3\x28\r\n";
    }
    {
        std::ofstream(dir / "subscription__deepseek" / "02-host-capabilities.json") << "{\"schema_version\": 2}\n";
    }
    auto v = verify(dir);
    REQUIRE(v);
    std::string headers = slurp(dir / "self_service__deepseek" / "10-chat.headers.txt");
    CHECK(v->content_problems ==
          std::vector<std::string>{
              "self_service__deepseek/10-chat.headers.txt: not valid UTF-8 (byte " +
                  std::to_string(headers.find('\xC3')) + ")",
              "subscription__deepseek/02-host-capabilities.json: unsupported schema_version 2 (this build writes 1)"});
    CHECK(verify_cli(dir).code == ExitCode::audit_failed);
}

TEST_CASE("evidence verify: an honest incomplete bundle exits 3, a tampered incomplete one 4", "[evidence]") {
    Fixture f;
    auto w = f.writer("interrupted");
    auto run = run_summary();
    run.matrix = plan_matrix(run.cells, k_step_files);
    run.interrupted = true;
    REQUIRE(w.begin(run));
    REQUIRE(w.write_json("self_service__deepseek/00-cell.json", crm::util::json::object{}));
    auto fin = w.finalize(run, false);
    REQUIRE(fin);
    CHECK(fin->passed());  // trustworthy, only unfinished
    CHECK(verify_cli(w.dir()).code == ExitCode::harness_error);
    fs::create_directories(w.dir() / "subscription__deepseek" / "nothing");
    CHECK(verify_cli(w.dir()).code == ExitCode::audit_failed);
}

TEST_CASE("evidence finalize: a bundle that fails verify's checks says so in every summary", "[evidence]") {
    Fixture f;
    // What the dangling-string_view host exposed: an artifact that is not valid JSON or UTF-8.
    auto fin = f.finish_full_bundle([](const fs::path& dir) {
        {
            std::ofstream(dir / "self_service__deepseek" / "12-accounts-state.json")
                << "{\"schema_version\": 1, \"n\": \x01\xFF";
        }
    });
    CHECK_FALSE(fin.passed());
    const auto dir = fin.check.bundle;
    REQUIRE(fin.check.content_problems.size() == 1);
    CHECK(fin.check.content_problems[0] == "self_service__deepseek/12-accounts-state.json: not valid UTF-8 (byte 28)");
    CHECK(fin.summary.exit_code == 4);
    CHECK_FALSE(fin.summary.gate.passed);
    CHECK(fin.summary.gate.reason.find("not valid UTF-8") != std::string::npos);
    auto summary = crm::util::parse_json(slurp(dir / "summary.json"), "summary.json");
    REQUIRE(summary);
    CHECK(summary->at("exit_code").as_int64() == 4);
    CHECK_FALSE(summary->at("gate").at("passed").as_bool());
    CHECK_FALSE(summary->at("audit").at("passed").as_bool());
    CHECK(summary->at("audit").at("problems").as_array().size() == 1);
    CHECK(slurp(dir / "summary.md").find("not valid UTF-8") != std::string::npos);
    CHECK(slurp(dir / "report.html").find("not valid UTF-8") != std::string::npos);
    CHECK(slurp(dir / "junit.xml").find("<property name=\"exit_code\" value=\"4\"/>") != std::string::npos);
    // verify agrees with the run, on the bundle as rewritten.
    auto v = verify(dir);
    REQUIRE(v);
    CHECK_FALSE(v->trustworthy());
    CHECK(v->problems() == fin.check.problems());
}

TEST_CASE("evidence writer: text from a host is made valid UTF-8 before it is written", "[evidence]") {
    Fixture f;
    auto w = f.writer();
    REQUIRE(w.write_text("self_service__deepseek/11-chat-stream.sse", "data: \xFF\xFE\n\n"));
    CHECK(slurp(w.dir() / "self_service__deepseek/11-chat-stream.sse") == "data: \xEF\xBF\xBD\xEF\xBF\xBD\n\n");
}

TEST_CASE("evidence writer: a scenario name or label holding a registered secret names the folder 'redacted'",
          "[evidence]") {
    Fixture f;
    f.secrets.add("plain-upstream-key-0123");
    auto w = f.writer("plain-upstream-key-0123");
    CHECK(w.dir().filename() == "20261124_000000_default_redacted");
}
