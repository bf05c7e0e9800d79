// The real cell pipeline against the in-process stub host over loopback HTTP.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>

#include "harness/runner/cell_plan.hpp"
#include "stubs/stub_cluster.hpp"
#include "tests/component/harness/one_cell.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

// A stub cluster with `upstream_profile` on its deepseek upstream, and a folder for the cell.
struct Fixture {
    std::unique_ptr<stubs::StubCluster> cluster;
    fs::path dir = fs::temp_directory_path() / ("crm-pipeline-" + util::random_hex(5));

    explicit Fixture(const std::string& upstream_profile) {
        stubs::StubOptions o;
        o.upstreams.push_back({"deepseek", "deepseek", upstream_profile});
        auto c = stubs::StubCluster::start(o);
        REQUIRE(c.has_value());
        cluster = std::move(*c);
        fs::create_directories(dir);
    }
    ~Fixture() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // One subscription cell, as the pipeline tests below expect it.
    test::OneCellResult run(std::function<void(scenario::Scenario&)> adjust = {}) {
        test::OneCellOptions opt;
        opt.dir = dir;
        opt.mode = scenario::Mode::subscription;
        opt.adjust = std::move(adjust);
        return test::run_one_cell(cluster->endpoints(), opt);
    }
};

}  // namespace

TEST_CASE("pipeline: a healthy stub cell is ready, writes 00..21 and leaves nothing owned on the host") {
    Fixture f("healthy");
    auto out = f.run();
    const auto& r = out.report;
    INFO(r.classification.explanation);
    CHECK(r.classification.cause == classify::Cause::ready);
    CHECK(r.finished);
    CHECK(r.imported);
    CHECK(r.rolled_back);
    CHECK(r.gate_decision().passed);
    auto cell_dir = out.bundle_dir / "subscription__deepseek";
    for (const char* file : {"00-cell.json", "05-import.json", "08-subscription-group-state.json", "11-chat-stream.sse",
                             "17-upstream-models.headers.txt", "20-rollback.json", "21-summary.md"}) {
        INFO(file);
        CHECK(fs::exists(cell_dir / file));
    }
    CHECK(out.audit.empty());
    // Host read-back: nothing named by this run is left (revoked subscriptions stay as history).
    auto snapshot = util::parse_json(f.cluster->snapshot_json(), "snapshot");
    REQUIRE(snapshot.has_value());
    for (const char* kind : {"groups", "accounts", "channels", "api_keys"}) {
        const auto* list = util::find(*snapshot, kind);
        if (!list || !list->is_array()) continue;
        for (const auto& item : list->get_array()) {
            INFO(kind);
            CHECK(util::get_string(item, "name").value_or("").rfind("crm-", 0) != 0);
        }
    }
}

TEST_CASE("pipeline: switched-off steps are recorded as skipped and write nothing") {
    Fixture f("healthy");
    auto out = f.run([](scenario::Scenario& s) {
        s.steps.stream_smoke = false;
        s.steps.upstream_probes = false;
    });
    const auto& r = out.report;
    CHECK(r.classification.cause == classify::Cause::ready);
    int skipped = 0;
    for (const auto& st : r.steps) {
        if (st.state == runner::StepState::skipped) ++skipped;
    }
    CHECK(skipped == 3);
    CHECK_FALSE(fs::exists(out.bundle_dir / "subscription__deepseek" / "11-chat-stream.sse"));
    CHECK_FALSE(fs::exists(out.bundle_dir / "subscription__deepseek" / "19-upstream-chat.json"));
}

TEST_CASE("pipeline: an upstream whose quota is exhausted is upstream_key_quota_issue") {
    Fixture f("upstream_quota_exhausted");
    auto r = f.run().report;
    INFO(r.classification.explanation);
    CHECK(r.classification.cause == classify::Cause::upstream_key_quota_issue);
    CHECK(r.classification.verdict == classify::Verdict::blocked);
    CHECK_FALSE(r.gate_decision().passed);
}

TEST_CASE("pipeline: a cell records the plan's steps in plan order and writes each ran step's planned files") {
    // Both modes, with every switchable step on and then off; 21 is the summary, which records
    // the other steps rather than itself.
    for (bool off : {false, true}) {
        INFO("steps switched off: " << off);
        Fixture f("healthy");
        test::OneCellOptions opt;
        opt.dir = f.dir;
        opt.both_modes = true;
        scenario::StepSwitches sw;
        if (off) sw = {false, false, false, false};
        opt.adjust = [sw](scenario::Scenario& s) { s.steps = sw; };
        auto out = test::run_one_cell(f.cluster->endpoints(), opt);
        REQUIRE(out.reports.size() == 2);
        for (const auto& r : out.reports) {
            INFO(r.cell.id << ": " << r.classification.explanation);
            CHECK(r.finished);
            const auto plan = runner::plan_cell(r.cell, sw);
            std::vector<int> planned;
            for (const auto& p : plan) {
                if (p.phase != runner::StepPhase::summary) planned.push_back(p.number);
            }
            std::vector<int> recorded;
            for (const auto& st : r.steps) recorded.push_back(st.number);
            CHECK(recorded == planned);
            for (std::size_t i = 0; i < r.steps.size() && i < plan.size(); ++i) {
                for (const auto& file : plan[i].files) {
                    INFO(file);
                    const bool ran = r.steps[i].state == runner::StepState::ran;
                    CHECK(fs::exists(out.bundle_dir / r.cell.id / file) == ran);
                }
            }
        }
    }
}

TEST_CASE(
    "pipeline: accounts the host still rate-limits are counted from the 12 read-back and make a failing gateway "
    "transient_rate_limit") {
    // Without the upstream-direct probes, the account read-back is what tells a rate limit from a
    // host fault: the gateway's completions get 503 api_error (no schedulable account).
    Fixture f("upstream_rate_limited");
    auto out = f.run([](scenario::Scenario& s) { s.steps.upstream_probes = false; });
    const auto& r = out.report;
    INFO(r.classification.rule_id << ": " << r.classification.explanation);
    auto cell_dir = out.bundle_dir / "subscription__deepseek";
    auto accounts = util::parse_json(util::read_file(cell_dir / "12-accounts-state.json").value_or(""), "12");
    REQUIRE(accounts.has_value());
    const auto* list = util::find(*accounts, "accounts");
    REQUIRE(list != nullptr);
    REQUIRE(list->is_array());
    REQUIRE_FALSE(list->get_array().empty());
    CHECK_FALSE(util::get_string(list->get_array().front(), "rate_limit_reset_at").value_or("").empty());
    auto summary = util::parse_json(util::read_file(cell_dir / "21-summary.json").value_or(""), "21");
    REQUIRE(summary.has_value());
    const auto* obs = util::find(*summary, "observations");
    REQUIRE(obs != nullptr);
    const auto* acc = util::find(*obs, "accounts");
    REQUIRE(acc != nullptr);
    CHECK(util::get_number(*acc, "rate_limited_count").value_or(0) > 0);
    CHECK(r.classification.cause == classify::Cause::transient_rate_limit);
}
