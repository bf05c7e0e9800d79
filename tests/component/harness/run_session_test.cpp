// RunSession driven directly, without the CLI: the default scenario against the built-in stub
// host, and a run interrupted before its first cell. The returned value is the whole answer:
// cells, gate, exit code, the engine state's fate and a bundle that `verify` accepts.
#include "harness/session/run_session.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <set>

#include "harness/evidence/verify.hpp"
#include "probes/http/transport.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

// Records which cells the session reported started and finished (called from worker threads).
class RecordingEvents final : public runner::RunEvents {
  public:
    void cell_started(const matrix::Cell& cell) override {
        std::lock_guard lock(m_mutex);
        started.insert(cell.id);
    }
    void cell_finished(const runner::CellReport& report) override {
        std::lock_guard lock(m_mutex);
        finished.insert(report.cell.id);
    }
    std::set<std::string> started, finished;

  private:
    std::mutex m_mutex;
};

struct SessionRun {
    fs::path out = fs::temp_directory_path() / ("crm-run-session-" + util::random_hex(5));
    std::unique_ptr<probes::HttpTransport> http = probes::make_curl_transport();
    RecordingEvents events;
    std::atomic<bool> interrupted{false};

    session::RunResult run(std::string scenario = std::string(CRM_SOURCE_DIR) + "/scenarios/default.json") {
        session::RunRequest request;
        request.scenario_path = std::move(scenario);
        request.out = out;
        request.argv = {"crm-accept", "run"};
        util::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
        session::RunSession s(std::move(request), session::RunDeps{no_env, *http, events, interrupted, nullptr});
        return s.run();
    }
    ~SessionRun() {
        std::error_code ignored;
        fs::remove_all(out, ignored);
    }
};

classify::Cause cause_of(const session::RunResult& r, const std::string& id) {
    for (const auto& c : r.cells) {
        if (c.cell.id == id) return c.classification.cause;
    }
    FAIL("no cell " << id);
    return classify::Cause::harness_error;
}

// `crm-accept verify` over the bundle, in-process.
evidence::VerifyReport verified(const fs::path& bundle) {
    auto v = evidence::verify(bundle);
    REQUIRE(v.has_value());
    return *v;
}

}  // namespace

TEST_CASE("run session: the default scenario on the stub host passes its gate and leaves a verified bundle") {
    SessionRun t;
    auto r = t.run();
    REQUIRE(r.finished);
    CHECK(r.message.empty());
    CHECK(r.exit_code == ExitCode::gate_passed);
    CHECK(r.decision.passed);
    CHECK_FALSE(r.interrupted);
    REQUIRE(r.cells.size() == 6);
    for (const auto& c : r.cells) {
        CHECK(c.finished);
        CHECK(c.rolled_back == c.imported);
    }
    CHECK(cause_of(r, "self_service__kimi") == classify::Cause::ready);
    CHECK(cause_of(r, "subscription__deepseek") == classify::Cause::host_compatibility_gap);
    CHECK(cause_of(r, "self_service__minimax") == classify::Cause::upstream_key_quota_issue);
    CHECK(t.events.started.size() == 6);
    CHECK(t.events.finished.size() == 6);
    // A stub host keeps nothing: the engine state is deleted and not recorded.
    CHECK_FALSE(r.state.kept);
    CHECK(r.state.engine_state.empty());
    CHECK(r.summary.exit_code == 0);
    CHECK(r.bundle_dir.parent_path() == t.out);
    CHECK(r.bundle_passed());
    auto v = verified(r.bundle_dir);
    CHECK(v.trustworthy());
    CHECK(v.complete());
}

TEST_CASE("run session: interrupted before the first cell, nothing runs and the bundle stays incomplete") {
    SessionRun t;
    t.interrupted = true;
    auto r = t.run();
    REQUIRE(r.finished);
    CHECK(r.exit_code == ExitCode::interrupted);
    CHECK(r.interrupted);
    CHECK_FALSE(r.decision.passed);
    REQUIRE(r.cells.size() == 6);
    for (const auto& c : r.cells) CHECK_FALSE(c.started);
    CHECK(t.events.started.empty());
    CHECK_FALSE(r.state.kept);
    auto v = verified(r.bundle_dir);
    CHECK(v.trustworthy());
    CHECK_FALSE(v.complete());
}

TEST_CASE("run session: a missing scenario stops before anything is written, with one line and exit 3") {
    SessionRun t;
    auto r = t.run((t.out / "absent.json").string());
    CHECK_FALSE(r.finished);
    CHECK(r.exit_code == ExitCode::harness_error);
    CHECK(r.message.find("absent.json") != std::string::npos);
    CHECK(r.cells.empty());
    CHECK_FALSE(fs::exists(t.out));
}
