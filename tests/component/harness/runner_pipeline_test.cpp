// The real cell pipeline against the in-process stub host over loopback HTTP.
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>

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
