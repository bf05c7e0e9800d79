// evidence::Bundle::open over bundles fabricated on disk the way `run` writes them: 00-run.json
// with the recorded matrix, one folder per started cell, 21-summary.json for finished ones.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
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
namespace fs = std::filesystem;
namespace json = crm::util::json;

namespace {

struct FakeBundle {
    fs::path dir = fs::temp_directory_path() / ("crm-bundle-reader-" + crm::util::random_hex(6));
    std::vector<matrix::Cell> cells = matrix::expand(crm::test::three_providers_two_modes());

    FakeBundle() { write_run(); }
    ~FakeBundle() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    void write_run(std::string_view mode_override = {}) {
        evidence::RunSummary s;
        s.scenario_name = "three";
        s.scenario_sha256 = "abc";
        json::array selected;
        for (const auto& c : cells) {
            selected.push_back(
                json::object{{"index", c.index},
                             {"cell", c.id},
                             {"mode", mode_override.empty() ? scenario::to_string(c.mode) : mode_override},
                             {"pack", c.pack},
                             {"provider", c.provider},
                             {"expected_cause", nullptr}});
        }
        s.matrix = json::object{{"cells_total", cells.size()}, {"cells_selected", std::move(selected)}};
        write("00-run.json", json::serialize(evidence::run_json(s, "complete")));
    }

    // A finished cell with the gate outcome `outcome`.
    void finish(std::size_t i, gate::CellOutcome outcome) {
        runner::CellReport r;
        r.cell = cells[i];
        r.started = true;
        r.finished = true;
        r.classification.cause = classify::Cause::ready;
        r.classification.verdict = classify::Verdict::pass;
        r.decision = gate::CellDecision{cells[i].id, outcome, gate::outcome_passes(outcome), "because"};
        r.steps = {{9, "models", evidence::StepState::ran, "", 40, 38}};
        write(cells[i].id + "/21-summary.json", json::serialize(evidence::to_json(runner::to_cell_summary(r))));
    }

    void write(const std::string& rel, const std::string& text) const {
        REQUIRE(crm::util::write_atomic(dir / rel, text).has_value());
    }
};

}  // namespace

TEST_CASE("bundle: open reads the recorded matrix and each finished cell's summary, typed") {
    FakeBundle f;
    f.finish(0, gate::CellOutcome::passed);
    f.finish(1, gate::CellOutcome::expectation_met);
    f.finish(2, gate::CellOutcome::blocking_failure);
    f.write(f.cells[3].id + "/00-cell.json", "{}");  // started, never finished
    auto b = evidence::Bundle::open(f.dir);
    REQUIRE(b.has_value());
    CHECK(b->run.complete());
    CHECK(b->run.scenario_sha256 == "abc");
    CHECK(b->run.cells_total == 6);
    REQUIRE(b->cells.size() == 6);
    CHECK(b->cells[0].summary.has_value());
    CHECK(b->cells[0].summary->gate_outcome == gate::CellOutcome::passed);
    CHECK(b->cells[0].summary->gate_reason == "because");
    REQUIRE(b->cells[0].summary->steps.size() == 1);
    CHECK(b->cells[0].summary->steps[0].number == 9);
    CHECK(b->cells[0].summary->steps[0].elapsed_ms == 40);
    CHECK(b->cells[3].folder_present);
    CHECK_FALSE(b->cells[3].summary.has_value());
    CHECK_FALSE(b->cells[4].folder_present);
    // A cell that never started or never finished is no pass.
    CHECK(b->passed_cells() == std::vector<std::string>{"self_service__deepseek", "self_service__kimi"});
    auto report = runner::report_from_bundle(b->cells[1]);
    CHECK(report.cell.index == 1);
    REQUIRE(report.decision.has_value());
    CHECK(report.decision->outcome == gate::CellOutcome::expectation_met);
    CHECK(report.decision->passed);
}

TEST_CASE("bundle: a bundle interrupted before any cell finished opens and passes nothing") {
    FakeBundle f;
    auto b = evidence::Bundle::open(f.dir);
    REQUIRE(b.has_value());
    CHECK(b->passed_cells().empty());
}

TEST_CASE("bundle: a directory without 00-run.json is not a bundle") {
    auto b = evidence::Bundle::open(fs::temp_directory_path() / ("crm-no-bundle-" + crm::util::random_hex(6)));
    REQUIRE_FALSE(b.has_value());
    CHECK(b.error().code == crm::util::ErrorCode::not_found);
    CHECK(b.error().message.find("not a bundle") != std::string::npos);
}

TEST_CASE("bundle: unknown names and foreign folders are errors, never defaults") {
    SECTION("a cell folder that is not in the recorded matrix") {
        FakeBundle f;
        f.write("self_service__nosuch/00-cell.json", "{}");
        auto b = evidence::Bundle::open(f.dir);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().message.find("cell folder self_service__nosuch is not in the matrix") != std::string::npos);
    }
    SECTION("an unknown mode in 00-run.json") {
        FakeBundle f;
        f.write_run("self-service");
        auto b = evidence::Bundle::open(f.dir);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().message.find("matrix.cells_selected[0].mode: unknown mode 'self-service'") !=
              std::string::npos);
    }
    SECTION("an unknown gate outcome in a 21-summary.json") {
        FakeBundle f;
        f.finish(0, gate::CellOutcome::passed);
        auto path = f.dir / f.cells[0].id / "21-summary.json";
        auto text = crm::util::read_file(path);
        REQUIRE(text.has_value());
        auto pos = text->find("\"gate_outcome\":\"passed\"");
        REQUIRE(pos != std::string::npos);
        text->replace(pos, 23, "\"gate_outcome\":\"pass\"");
        f.write(f.cells[0].id + "/21-summary.json", *text);
        auto b = evidence::Bundle::open(f.dir);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().message.find("unknown gate outcome 'pass'") != std::string::npos);
    }
    SECTION("a summary that names another cell than its folder") {
        FakeBundle f;
        f.finish(0, gate::CellOutcome::passed);
        auto text = crm::util::read_file(f.dir / f.cells[0].id / "21-summary.json");
        REQUIRE(text.has_value());
        f.write(f.cells[1].id + "/21-summary.json", *text);
        auto b = evidence::Bundle::open(f.dir);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().message.find("names cell self_service__deepseek, not its folder self_service__kimi") !=
              std::string::npos);
    }
    SECTION("another schema version") {
        FakeBundle f;
        f.write("00-run.json", R"({"schema_version": 2, "status": "complete"})");
        auto b = evidence::Bundle::open(f.dir);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().message.find("schema_version: 2 is not supported") != std::string::npos);
    }
}
