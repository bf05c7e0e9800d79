#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "harness/evidence/run_summary.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "tests/unit/harness/scenario_fixture.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm::harness;

namespace {

scenario::Scenario three_by_two() {
    auto s = crm::test::three_providers_two_modes();
    s.providers[2].expect[scenario::Mode::subscription] = classify::Cause::upstream_key_quota_issue;
    return s;
}

std::vector<std::string> ids(const std::vector<matrix::Cell>& cells) {
    std::vector<std::string> out;
    for (const auto& c : cells) out.push_back(c.id);
    return out;
}

}  // namespace

TEST_CASE("matrix: modes x providers expand in file order with stable indexes") {
    auto cells = matrix::expand(three_by_two());
    CHECK(ids(cells) == std::vector<std::string>{"self_service__deepseek", "self_service__kimi",
                                                 "self_service__minimax", "subscription__deepseek",
                                                 "subscription__kimi", "subscription__minimax"});
    CHECK(cells[5].index == 5);
    CHECK(cells[5].expected_cause == std::optional<classify::Cause>(classify::Cause::upstream_key_quota_issue));
    CHECK_FALSE(cells[2].expected_cause.has_value());
}

TEST_CASE("matrix: a hosts axis prefixes cell ids with the host name") {
    auto s = three_by_two();
    crm::test::two_hosts(s);
    auto cells = matrix::expand(s);
    REQUIRE(cells.size() == 12);
    CHECK(cells[0].id == "a__self_service__deepseek");
    CHECK(cells[11].id == "b__subscription__minimax");
}

TEST_CASE("matrix: two hosts give distinct cell ids and evidence folders equal to the ids") {
    auto s = three_by_two();
    crm::test::two_hosts(s);
    auto cells = matrix::expand(s);
    std::set<std::string> id_set, folder_set;
    for (const auto& c : cells) {
        CHECK(c.host_in_id);
        runner::CellReport r;
        r.cell = c;
        auto summary = runner::to_cell_summary(r);
        CHECK(summary.folder() == c.id);  // plan, --only, --shard, merge and --rerun-failed all key on it
        id_set.insert(c.id);
        folder_set.insert(summary.folder());
    }
    CHECK(id_set.size() == cells.size());
    CHECK(folder_set.size() == cells.size());
    CHECK(ids(matrix::filter_only(cells, "b__*__kimi")) ==
          std::vector<std::string>{"b__self_service__kimi", "b__subscription__kimi"});
}

TEST_CASE("matrix: a host name with characters a folder cannot carry names one folder, the same for id and writer") {
    auto s = three_by_two();
    crm::test::two_hosts(s);
    s.hosts[0].name = "box:8080";
    auto cells = matrix::expand(s);
    CHECK(cells[0].id == "box-8080__self_service__deepseek");
    runner::CellReport r;
    r.cell = cells[0];
    auto summary = runner::to_cell_summary(r);
    CHECK(summary.host == "box:8080");
    CHECK(summary.folder() == cells[0].id);
    auto back = evidence::cell_from_json(evidence::to_json(summary), "t");
    REQUIRE(back.has_value());
    CHECK(back->folder() == cells[0].id);
}

TEST_CASE("matrix: a hosts axis with a single host keeps the spec's <mode>__<provider> ids") {
    auto s = three_by_two();
    s.hosts_axis = true;
    s.hosts[0].name = "only";
    auto cells = matrix::expand(s);
    CHECK(cells[0].id == "self_service__deepseek");
    CHECK_FALSE(cells[0].host_in_id);
    runner::CellReport r;
    r.cell = cells[0];
    CHECK(runner::to_cell_summary(r).folder() == "self_service__deepseek");
}

TEST_CASE("evidence: a cell summary's host survives the JSON round trip and names its folder") {
    evidence::CellSummary c;
    c.host = "b";
    c.mode = "subscription";
    c.provider = "kimi";
    c.cause = crm::harness::classify::Cause::ready;
    c.verdict = crm::harness::classify::Verdict::pass;
    auto back = evidence::cell_from_json(evidence::to_json(c), "t");
    REQUIRE(back.has_value());
    CHECK(back->host == "b");
    CHECK(back->folder() == "b__subscription__kimi");
    c.host.clear();
    CHECK_FALSE(evidence::to_json(c).contains("host"));
    CHECK(c.folder() == "subscription__kimi");
}

TEST_CASE("matrix: --only takes globs and plain substrings, comma separated") {
    auto cells = matrix::expand(three_by_two());
    CHECK(ids(matrix::filter_only(cells, "subscription__*")).size() == 3);
    CHECK(ids(matrix::filter_only(cells, "kimi")) ==
          std::vector<std::string>{"self_service__kimi", "subscription__kimi"});
    CHECK(ids(matrix::filter_only(cells, "self_service__deepseek, *__minimax")) ==
          std::vector<std::string>{"self_service__deepseek", "self_service__minimax", "subscription__minimax"});
    CHECK(matrix::filter_only(cells, "nothing*").empty());
    CHECK(matrix::glob_match("s?b*__k*", "subscription__kimi"));
    CHECK_FALSE(matrix::glob_match("s?b*__k", "subscription__kimi"));
}

TEST_CASE("matrix: shards partition the matrix deterministically and cover it exactly") {
    auto cells = matrix::expand(three_by_two());
    auto a = matrix::select_shard(cells, {1, 2});
    auto b = matrix::select_shard(cells, {2, 2});
    CHECK(ids(a) == std::vector<std::string>{"self_service__deepseek", "self_service__minimax", "subscription__kimi"});
    CHECK(ids(b) == std::vector<std::string>{"self_service__kimi", "subscription__deepseek", "subscription__minimax"});
    CHECK(ids(matrix::select_shard(cells, {1, 2})) == ids(a));
    for (int n = 1; n <= 7; ++n) {
        std::size_t total = 0;
        for (int k = 1; k <= n; ++k) total += matrix::select_shard(cells, {k, n}).size();
        CHECK(total == cells.size());
    }
}

TEST_CASE("matrix: --shard parsing rejects malformed values") {
    CHECK(matrix::parse_shard("2/3").value() == matrix::Shard{2, 3});
    for (const char* bad : {"0/2", "3/2", "1/0", "a/b", "1", "1/2x", ""}) {
        INFO(bad);
        CHECK_FALSE(matrix::parse_shard(bad).has_value());
    }
}

TEST_CASE("matrix: resource prefixes differ per cell and per run") {
    auto cells = matrix::expand(three_by_two());
    CHECK(matrix::resource_prefix("ab12", cells[0]) != matrix::resource_prefix("ab12", cells[3]));
    CHECK(matrix::resource_prefix("ab12", cells[0]) != matrix::resource_prefix("cd34", cells[0]));
    CHECK(matrix::resource_prefix("ab12", cells[0]) == "crm-ab12-0s-deepseek");
}
