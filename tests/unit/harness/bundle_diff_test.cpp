// inspect::diff_bundles over bundles written the way `run` writes them (00-run.json with the
// recorded matrix, 21-summary.json per finished cell, probe artifacts), read back through
// evidence::Bundle::open.
#include "harness/inspect/bundle_diff.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "tests/unit/harness/scenario_fixture.hpp"
#include "util/files.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

using namespace crm::harness;
using inspect::CellChange;
namespace fs = std::filesystem;
namespace json = crm::util::json;

namespace {

std::string chat_artifact(int status, std::string_view code) {
    return json::serialize(json::object{
        {"schema_version", 1},
        {"exchange", json::object{{"response", json::object{{"status", status}}},
                                  {"error_info", code.empty() ? json::value(nullptr)
                                                              : json::value(json::object{{"code", code}})}}}});
}

struct WrittenBundle {
    fs::path dir = fs::temp_directory_path() / ("crm-diff-" + crm::util::random_hex(6)) / "20261101_090000_m";
    std::vector<matrix::Cell> cells = matrix::expand(crm::test::three_providers_two_modes());

    explicit WrittenBundle(std::string scenario = "m", std::size_t count = 6) {
        cells.resize(count);
        evidence::RunSummary s;
        s.scenario_name = std::move(scenario);
        s.scenario_sha256 = "abc";
        s.started_at = "2026-11-01T09:00:00+00:00";
        json::array selected;
        for (const auto& c : cells) {
            selected.push_back(json::object{{"index", c.index},
                                            {"cell", c.id},
                                            {"mode", scenario::to_string(c.mode)},
                                            {"pack", c.pack},
                                            {"provider", c.provider},
                                            {"expected_cause", nullptr}});
        }
        s.matrix = json::object{{"cells_total", 6}, {"cells_selected", std::move(selected)}};
        write("00-run.json", json::serialize(evidence::run_json(s, "complete")));
    }
    ~WrittenBundle() {
        std::error_code ec;
        fs::remove_all(dir.parent_path(), ec);
    }

    void finish(std::size_t i, classify::Cause cause, gate::CellOutcome outcome, int chat_status = 200,
                std::string_view code = {}) {
        runner::CellReport r;
        r.cell = cells[i];
        r.started = true;
        r.finished = true;
        r.classification.cause = cause;
        r.classification.verdict = classify::verdict_of(cause);
        r.classification.evidence = {"10-chat.json"};
        r.decision = gate::CellDecision{cells[i].id, outcome, gate::outcome_passes(outcome), "because"};
        write(cells[i].id + "/10-chat.json", chat_artifact(chat_status, code));
        write(cells[i].id + "/21-summary.json", json::serialize(evidence::to_json(runner::to_cell_summary(r))));
    }

    void write(const std::string& rel, const std::string& text) const {
        REQUIRE(crm::util::write_atomic(dir / rel, text).has_value());
    }

    [[nodiscard]] evidence::Bundle open() const {
        auto b = evidence::Bundle::open(dir);
        REQUIRE(b.has_value());
        return *b;
    }
};

const inspect::CellDiff& cell(const inspect::BundleDiff& d, std::string_view id) {
    for (const auto& c : d.cells) {
        if (c.id == id) return c;
    }
    FAIL("no cell " << id);
    return d.cells.front();
}

void finish_all_ready(WrittenBundle& w) {
    for (std::size_t i = 0; i < w.cells.size(); ++i) w.finish(i, classify::Cause::ready, gate::CellOutcome::passed);
}

}  // namespace

TEST_CASE("bundle diff: a bundle against itself changes nothing") {
    WrittenBundle w;
    finish_all_ready(w);
    auto d = inspect::diff_bundles(w.open(), w.open());
    REQUIRE(d.has_value());
    CHECK_FALSE(d->has_regressions());
    CHECK(d->count(CellChange::unchanged) == 6);
    for (const auto& c : d->cells) CHECK(c.fields.empty());
    CHECK(d->a.name == "20261101_090000_m");
}

TEST_CASE("bundle diff: passing -> failing is regressed, with the decisive fields side by side") {
    WrittenBundle a, b;
    finish_all_ready(a);
    finish_all_ready(b);
    b.finish(1, classify::Cause::host_compatibility_gap, gate::CellOutcome::blocking_failure, 502, "bad_role");
    auto d = inspect::diff_bundles(a.open(), b.open());
    REQUIRE(d.has_value());
    CHECK(d->has_regressions());
    CHECK(d->count(CellChange::regressed) == 1);
    CHECK(d->count(CellChange::unchanged) == 5);
    const auto& c = cell(*d, a.cells[1].id);
    CHECK(c.change == CellChange::regressed);
    REQUIRE(c.a.has_value());
    REQUIRE(c.b.has_value());
    CHECK(c.a->cause == "ready");
    CHECK(c.b->cause == "host_compatibility_gap");
    CHECK(c.b->gate_word == "blocking_failure");
    REQUIRE(c.fields.size() == 2);
    CHECK(c.fields[0].artifact == "10-chat.json");
    CHECK(c.fields[0].label == "chat HTTP status");
    CHECK(c.fields[0].a == "200");
    CHECK(c.fields[0].b == "502");
    CHECK(c.fields[1].label == "chat error code");
    CHECK(c.fields[1].a.empty());
    CHECK(c.fields[1].b == "bad_role");

    auto j = inspect::to_json(*d, false);
    CHECK(j.at("kind") == "crm-accept.diff");
    CHECK(j.at("schema_version") == 1);
    CHECK(j.at("cells").as_array().size() == 1);  // unchanged cells hidden
    CHECK(inspect::to_json(*d, true).at("cells").as_array().size() == 6);
    auto text = inspect::render_text(*d, false);
    CHECK(text.find("regressed") != std::string::npos);
    CHECK(text.find("10-chat.json chat HTTP status") != std::string::npos);
    CHECK(text.find("200 -> 502") != std::string::npos);
    auto md = inspect::render_markdown(*d, false);
    CHECK(md.find("| regressed | `" + a.cells[1].id + "` |") != std::string::npos);
    CHECK(md.find("| chat HTTP status | 200 | 502 |") != std::string::npos);
}

TEST_CASE("bundle diff: failing -> passing is recovered; a new failing cause is cause_changed") {
    WrittenBundle a, b;
    finish_all_ready(a);
    finish_all_ready(b);
    a.finish(0, classify::Cause::upstream_unavailable, gate::CellOutcome::not_passing, 503);
    a.finish(2, classify::Cause::upstream_unavailable, gate::CellOutcome::not_passing, 503);
    b.finish(2, classify::Cause::upstream_key_quota_issue, gate::CellOutcome::not_passing, 429);
    auto d = inspect::diff_bundles(a.open(), b.open());
    REQUIRE(d.has_value());
    CHECK_FALSE(d->has_regressions());
    CHECK(cell(*d, a.cells[0].id).change == CellChange::recovered);
    CHECK(cell(*d, a.cells[2].id).change == CellChange::cause_changed);
    CHECK(cell(*d, a.cells[3].id).change == CellChange::unchanged);
}

TEST_CASE("bundle diff: an expected fault still met is no regression") {
    WrittenBundle a, b;
    finish_all_ready(a);
    finish_all_ready(b);
    a.finish(1, classify::Cause::host_compatibility_gap, gate::CellOutcome::expectation_met, 502);
    b.finish(1, classify::Cause::host_compatibility_gap, gate::CellOutcome::expectation_met, 502);
    auto d = inspect::diff_bundles(a.open(), b.open());
    REQUIRE(d.has_value());
    CHECK(d->count(CellChange::unchanged) == 6);
}

TEST_CASE("bundle diff: a cell that stopped finishing regressed; cells on one side appeared or vanished") {
    WrittenBundle a("m", 4);
    WrittenBundle b("m", 6);
    finish_all_ready(a);
    finish_all_ready(b);
    b.finish(5, classify::Cause::ready, gate::CellOutcome::passed);
    // B's cell 0 started but never finished.
    fs::remove(b.dir / b.cells[0].id / "21-summary.json");
    auto d = inspect::diff_bundles(a.open(), b.open());
    REQUIRE(d.has_value());
    const auto& c0 = cell(*d, a.cells[0].id);
    CHECK(c0.change == CellChange::regressed);
    CHECK(c0.b->gate_word == "not_run");
    CHECK(d->count(CellChange::appeared) == 2);
    CHECK(cell(*d, b.cells[5].id).change == CellChange::appeared);
    CHECK_FALSE(cell(*d, b.cells[5].id).a.has_value());

    auto back = inspect::diff_bundles(b.open(), a.open());
    REQUIRE(back.has_value());
    CHECK(back->count(CellChange::vanished) == 2);
    CHECK(cell(*back, a.cells[0].id).change == CellChange::recovered);
}

TEST_CASE("bundle diff: bundles of different scenarios are not comparable") {
    WrittenBundle a("m"), b("other");
    auto d = inspect::diff_bundles(a.open(), b.open());
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().message.find("not comparable") != std::string::npos);
    CHECK(d.error().message.find("'other'") != std::string::npos);
}

TEST_CASE("bundle diff: an untrusted side is said loudly in every rendering") {
    WrittenBundle w;
    finish_all_ready(w);
    auto d = inspect::diff_bundles(w.open(), w.open());
    REQUIRE(d.has_value());
    d->b.problems = {"manifest: modified self_service__kimi/10-chat.json"};
    CHECK(inspect::render_text(*d, false).find("UNTRUSTED: verify fails: manifest: modified") != std::string::npos);
    CHECK(inspect::render_markdown(*d, false).find("**UNTRUSTED**") != std::string::npos);
    auto j = inspect::to_json(*d, false);
    CHECK(j.at("b").at("trusted") == false);
    CHECK(j.at("a").at("trusted") == true);
}
