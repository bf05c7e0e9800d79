// `crm-accept list` over an evidence root filled by real runs of the default scenario, stamped on
// different days through CRM_ACCEPT_NOW: the table, --json, the filters and the exit codes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/e2e/cli_process.hpp"

using namespace crm::e2e;
namespace fs = std::filesystem;

namespace {

const std::string k_default = std::string(CRM_SOURCE_DIR) + "/scenarios/default.json";

std::map<std::string, std::string> at(const std::string& instant) { return {{"CRM_ACCEPT_NOW", instant}}; }

std::size_t count_of(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("e2e list: bundles of two runs, as a table and as JSON, filtered, with ages from the clock") {
    const auto root = temp_dir("list");
    auto first = run_cli({"run", k_default, "--out", root.string(), "--quiet"}, at("2026-11-01T09:00:00Z"));
    REQUIRE(first.exit_code == 0);
    auto second = run_cli({"run", k_default, "--out", root.string(), "--quiet", "--label", "nightly"},
                          at("2026-11-02T09:00:00Z"));
    REQUIRE(second.exit_code == 0);
    const auto later = at("2026-11-03T21:00:00Z");

    auto table = run_cli({"list", "--root", root.string()}, later);
    INFO(table.err);
    REQUIRE(table.exit_code == 0);
    CHECK(table.err.empty());
    CHECK(table.out.find("STAMP") == 0);
    CHECK(count_of(table.out, "\n") == 3);  // header + two bundles
    CHECK(count_of(table.out, "trusted") == 2);
    CHECK(count_of(table.out, "complete") == 2);
    CHECK(table.out.find("nightly") != std::string::npos);
    // Oldest first, aged against CRM_ACCEPT_NOW (two and a half days, then one and a half).
    const auto row1 = table.out.find("20261101_09");
    const auto row2 = table.out.find("20261102_09");
    REQUIRE(row1 != std::string::npos);
    REQUIRE(row2 != std::string::npos);
    CHECK(row1 < row2);
    CHECK(table.out.find("2d\n") != std::string::npos);
    CHECK(table.out.find("1d\n") != std::string::npos);

    auto js = run_cli({"list", "--root", root.string(), "--json"}, later);
    REQUIRE(js.exit_code == 0);
    auto doc = crm::util::parse_json(js.out, "list --json");
    REQUIRE(doc);
    CHECK(crm::util::get_int(*doc, "schema_version") == std::optional<std::int64_t>(1));
    CHECK(crm::util::get_string(*doc, "kind") == std::optional<std::string>("crm-accept.list"));
    // The table call built the index; this one read nothing again.
    CHECK(crm::util::get_int(*crm::util::find(*doc, "index"), "cached") == std::optional<std::int64_t>(2));
    const auto& bundles = crm::util::find(*doc, "bundles")->get_array();
    REQUIRE(bundles.size() == 2);
    CHECK(crm::util::get_string(bundles[0], "trust") == std::optional<std::string>("trusted"));
    CHECK(crm::util::get_string(bundles[0], "scenario") == std::optional<std::string>("default"));
    CHECK(crm::util::get_string(bundles[1], "label") == std::optional<std::string>("nightly"));
    CHECK(crm::util::get_int(bundles[0], "exit_code") == std::optional<std::int64_t>(0));
    CHECK(crm::util::get_int(bundles[0], "cells") == std::nullopt);  // an array, not a count
    CHECK(crm::util::find(bundles[0], "cells")->get_array().size() == 6);

    auto since = run_cli({"list", "--root", root.string(), "--since", "40h", "--json"}, later);
    REQUIRE(since.exit_code == 0);
    auto since_doc = crm::util::parse_json(since.out, "list --since");
    REQUIRE(since_doc);
    const auto& recent = crm::util::find(*since_doc, "bundles")->get_array();
    REQUIRE(recent.size() == 1);
    CHECK(crm::util::get_string(recent[0], "label") == std::optional<std::string>("nightly"));

    auto none = run_cli({"list", "--root", root.string(), "--incomplete"}, later);
    CHECK(none.exit_code == 0);
    CHECK(none.out.find("match the filters") != std::string::npos);

    auto bad_since = run_cli({"list", "--root", root.string(), "--since", "lately"});
    CHECK(bad_since.exit_code == 64);
    CHECK(bad_since.err.find("--since 'lately'") != std::string::npos);

    fs::remove_all(root);
}

TEST_CASE("e2e list: a missing root exits 3 naming it, an empty root lists nothing and exits 0") {
    const auto dir = temp_dir("list-empty");
    auto missing = run_cli({"list", "--root", (dir / "nowhere").string()});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find((dir / "nowhere").string()) != std::string::npos);
    CHECK(count_of(missing.err, "\n") == 1);
    auto empty = run_cli({"list", "--root", dir.string()});
    CHECK(empty.exit_code == 0);
    CHECK(empty.out.find("no bundles under") != std::string::npos);
    auto help = run_cli({"list", "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--since") != std::string::npos);
    fs::remove_all(dir);
}
