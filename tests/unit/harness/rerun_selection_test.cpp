// Which cells `run --rerun-failed` re-runs and which cells `merge` finds missing: the pure
// selection over the expanded matrix (harness/matrix/matrix.hpp), plus the folder scan that feeds
// it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/matrix/matrix.hpp"
#include "tests/unit/harness/scenario_fixture.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm::harness;

namespace {

// self_service__{deepseek,kimi,minimax}, subscription__{deepseek,kimi,minimax}
std::vector<matrix::Cell> six_cells() { return matrix::expand(crm::test::three_providers_two_modes()); }

std::vector<std::string> ids(const std::vector<matrix::Cell>& cells) {
    std::vector<std::string> out;
    for (const auto& c : cells) out.push_back(c.id);
    return out;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("rerun: cells an interrupted run never started (no folder) are re-run, passed ones are not") {
    auto cells = six_cells();
    // The earlier run was asked for the whole matrix; two cells passed, one failed, three never
    // ran.
    std::set<std::string> all;
    for (const auto& c : cells) all.insert(c.id);
    std::set<std::string> passed{"self_service__deepseek", "self_service__kimi"};
    CHECK(ids(matrix::select_rerun(cells, all, passed)) ==
          Ids{"self_service__minimax", "subscription__deepseek", "subscription__kimi", "subscription__minimax"});
}

TEST_CASE("rerun: a bundle that recorded no selection stands for the whole matrix") {
    auto cells = six_cells();
    CHECK(ids(matrix::select_rerun(cells, std::nullopt, {})) == ids(cells));
    CHECK(matrix::select_rerun(cells, std::nullopt, {"self_service__deepseek"}).size() == 5);
}

TEST_CASE("rerun: cells outside the earlier run's selection (another shard) are not re-run") {
    auto cells = six_cells();
    auto shard1 = matrix::select_shard(cells, {1, 2});  // indexes 0, 2, 4
    std::set<std::string> selected;
    for (const auto& c : shard1) selected.insert(c.id);
    CHECK(ids(matrix::select_rerun(cells, selected, {"self_service__deepseek"})) ==
          Ids{"self_service__minimax", "subscription__kimi"});
}

TEST_CASE("rerun: the current --only narrows the re-run further and keeps matrix order and indexes") {
    auto cells = six_cells();
    auto kimi = matrix::filter_only(cells, "kimi");
    auto rerun = matrix::select_rerun(kimi, std::nullopt, {"self_service__kimi"});
    REQUIRE(ids(rerun) == Ids{"subscription__kimi"});
    CHECK(rerun.front().index == 4);
}

TEST_CASE("rerun: every cell passed means nothing to re-run") {
    auto cells = six_cells();
    std::set<std::string> all;
    for (const auto& c : cells) all.insert(c.id);
    CHECK(matrix::select_rerun(cells, all, all).empty());
}

TEST_CASE("merge coverage: one shard of two misses the other shard's cells, in matrix order") {
    auto cells = six_cells();
    std::set<std::string> present;
    for (const auto& c : matrix::select_shard(cells, {1, 2})) present.insert(c.id);
    CHECK(ids(matrix::missing_cells(cells, present)) ==
          Ids{"self_service__kimi", "subscription__deepseek", "subscription__minimax"});
    for (const auto& c : matrix::select_shard(cells, {2, 2})) present.insert(c.id);
    CHECK(matrix::missing_cells(cells, present).empty());
}

TEST_CASE("merge coverage: with a recorded --only only the selected cells are expected") {
    auto cells = six_cells();
    auto expected = matrix::filter_only(cells, "kimi");
    CHECK(matrix::missing_cells(expected, {"self_service__kimi", "subscription__kimi"}).empty());
    CHECK(ids(matrix::missing_cells(expected, {"self_service__kimi"})) == Ids{"subscription__kimi"});
}
