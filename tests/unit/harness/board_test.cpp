// The truth board over hand-built entries: which bundle proves a row, and the flags that say how
// far today's conclusions may rest on it.
#include "harness/catalog/board.hpp"

#include <catch2/catch.hpp>

#include "harness/catalog/board_render.hpp"
#include "tests/unit/harness/catalog_entries.hpp"

using namespace crm::test;
using crm::harness::catalog::Board;
using crm::harness::catalog::BoardOptions;
using crm::harness::catalog::BoardRow;
using crm::harness::catalog::build_board;

namespace {

BoardOptions at_now() {
    BoardOptions o;
    o.now = k_now;
    return o;
}

// A copy: callers pass a temporary board.
BoardRow only_row(const Board& b) {
    REQUIRE(b.rows.size() == 1);
    return b.rows.front();
}

}  // namespace

TEST_CASE("board: the newest trustworthy proof wins over a newer untrusted bundle", "[catalog][board]") {
    std::vector<BundleEntry> entries{
        bundle(30, Trust::trusted, {cell("kimi", Cause::host_compatibility_gap)}),
        bundle(10, Trust::trusted, {cell("kimi", Cause::ready)}),
        bundle(2, Trust::untrusted, {cell("kimi", Cause::host_compatibility_gap)}),
    };
    auto board = build_board(entries, at_now());
    const auto r = only_row(board);
    CHECK(r.proven);
    CHECK(r.bundle == entries[1].name);
    CHECK(r.cause == Cause::ready);
    CHECK(r.age == std::chrono::hours(10));
    CHECK(r.last_ready_bundle == entries[1].name);
    CHECK(r.superseded_by_failure);
    CHECK(r.superseded_note == entries[2].name + " (untrusted, saw host_compatibility_gap)");
    REQUIRE(board.untrusted.size() == 1);
    CHECK(board.untrusted[0].name == entries[2].name);
    CHECK(board.trusted_bundles == 2);
}

TEST_CASE("board: a row run only by untrusted or incomplete bundles is unproven", "[catalog][board]") {
    std::vector<BundleEntry> entries{bundle(1, Trust::incomplete, {cell("kimi", std::nullopt)})};
    const auto r = only_row(build_board(entries, at_now()));
    CHECK_FALSE(r.proven);
    CHECK(r.bundle.empty());
    CHECK_FALSE(r.stale);
    CHECK_FALSE(r.superseded_by_failure);
    CHECK(crm::harness::catalog::verdict_text(r) == "unproven");
}

TEST_CASE("board: a proof older than the max age is stale; the scenario's age and --max-age decide",
          "[catalog][board]") {
    std::vector<BundleEntry> entries{bundle(30, Trust::trusted, {cell("kimi", Cause::ready)})};
    auto options = at_now();
    const auto by_default = only_row(build_board(entries, options));
    CHECK(by_default.max_age == std::chrono::hours(24));
    CHECK(by_default.max_age_source == "default");
    CHECK(by_default.stale);
    CHECK(by_default.only_old_proof);

    options.scenario_max_age[entries[0].name] = std::chrono::hours(48);
    auto board = build_board(entries, options);
    const auto by_scenario = only_row(board);
    CHECK(by_scenario.max_age_source == "scenario");
    CHECK_FALSE(by_scenario.stale);
    CHECK_FALSE(by_scenario.only_old_proof);

    options.max_age_override = std::chrono::hours(1);
    const auto by_flag = only_row(build_board(entries, options));
    CHECK(by_flag.max_age_source == "--max-age");
    CHECK(by_flag.stale);
}

TEST_CASE("board: a fresh failure after an old ready is not stale, but ready rests on old proof only",
          "[catalog][board]") {
    std::vector<BundleEntry> entries{
        bundle(72, Trust::trusted, {cell("kimi", Cause::ready)}),
        bundle(1, Trust::trusted, {cell("kimi", Cause::host_compatibility_gap)}),
    };
    const auto r = only_row(build_board(entries, at_now()));
    CHECK(r.cause == Cause::host_compatibility_gap);
    CHECK_FALSE(r.stale);
    CHECK(r.only_old_proof);
    CHECK(r.last_ready_bundle == entries[0].name);
    CHECK_FALSE(r.superseded_by_failure);
}

TEST_CASE("board: a planted failure found as planted is proven as expected", "[catalog][board]") {
    std::vector<BundleEntry> entries{
        bundle(1, Trust::trusted, {cell("deepseek", Cause::host_compatibility_gap, Cause::host_compatibility_gap)})};
    const auto r = only_row(build_board(entries, at_now()));
    CHECK(r.as_expected);
    CHECK(crm::harness::catalog::verdict_text(r) == "fail (as expected)");
    CHECK(r.last_ready_at.empty());
    CHECK_FALSE(r.only_old_proof);
}

TEST_CASE("board: flapping needs two verdict changes within the newest five trusted results", "[catalog][board]") {
    auto history = [](std::vector<Cause> causes) {
        std::vector<BundleEntry> e;
        int hours = static_cast<int>(causes.size());
        for (auto c : causes) e.push_back(bundle(hours--, Trust::trusted, {cell("kimi", c)}));
        return e;
    };
    const auto gap = Cause::host_compatibility_gap;
    CHECK(only_row(build_board(history({Cause::ready, gap, Cause::ready}), at_now())).flapping);
    CHECK_FALSE(only_row(build_board(history({Cause::ready, Cause::ready, gap}), at_now())).flapping);
    // The changes are older than the window of five.
    CHECK_FALSE(only_row(build_board(history({Cause::ready, gap, Cause::ready, Cause::ready, Cause::ready, Cause::ready,
                                              Cause::ready}),
                                     at_now()))
                    .flapping);
    // Untrusted results never count.
    auto with_untrusted = history({Cause::ready, Cause::ready});
    with_untrusted.insert(with_untrusted.begin() + 1, bundle(5, Trust::untrusted, {cell("kimi", gap)}));
    CHECK(only_row(build_board(with_untrusted, at_now())).recent_verdicts == std::vector<std::string>{"pass", "pass"});
}

TEST_CASE("board: one row per host, mode and provider across scenarios", "[catalog][board]") {
    std::vector<BundleEntry> entries{
        bundle(3, Trust::trusted, {cell("kimi", Cause::ready), cell("kimi", Cause::ready, {}, Mode::subscription)}),
        bundle(2, Trust::trusted, {cell("kimi", Cause::ready, {}, Mode::self_service, "https://other.example")},
               "release"),
        bundle(1, Trust::unreadable, {}),
    };
    auto board = build_board(entries, at_now());
    CHECK(board.rows.size() == 3);
    CHECK(board.untrusted.size() == 1);
    const auto* stalest = board.stalest();
    REQUIRE(stalest);
    CHECK(stalest->bundle == entries[0].name);
}

TEST_CASE("board: board.json names its schema and kind, and every row's flags", "[catalog][board]") {
    std::vector<BundleEntry> entries{bundle(30, Trust::trusted, {cell("kimi", Cause::ready)})};
    auto doc = crm::harness::catalog::board_to_json(build_board(entries, at_now()), "/evidence");
    CHECK(doc.at("schema_version").as_int64() == 1);
    CHECK(doc.at("kind").as_string() == "crm-accept.board");
    const auto& row = doc.at("rows").as_array().at(0).as_object();
    CHECK(row.at("stale").as_bool());
    CHECK(row.at("age_seconds").as_int64() == 30 * 3600);
    CHECK(row.at("flags").as_array().at(0).as_string() == "stale");
}

TEST_CASE("board: the Markdown and HTML boards come from the templates and escape what they show", "[catalog][board]") {
    auto b = bundle(1, Trust::untrusted, {cell("kimi", Cause::ready)});
    b.trust_reason = "<script>|x";
    std::vector<BundleEntry> entries{bundle(2, Trust::trusted, {cell("kimi", Cause::ready)}), b};
    auto board = build_board(entries, at_now());
    auto md = crm::harness::catalog::render_board_md(board, "/evidence");
    REQUIRE(md);
    CHECK(md->find("| https://relay.example | self_service | kimi | pass | `ready` |") != std::string::npos);
    CHECK(md->find("<script>\\|x") != std::string::npos);
    auto html = crm::harness::catalog::render_board_html(board, "/evidence");
    REQUIRE(html);
    CHECK(html->find("&lt;script&gt;") != std::string::npos);
    CHECK(html->find("<script>") == std::string::npos);
    CHECK(html->find(" src=") == std::string::npos);  // self-contained: nothing to fetch
    CHECK(html->find("<link") == std::string::npos);
    auto table = crm::harness::catalog::render_board_table(board, "/evidence", false);
    CHECK(table.find("\x1b[") == std::string::npos);
    CHECK(table.find("superseded_by_failure") != std::string::npos);
}
