// `list`'s presentation: sizes, ages, the --since forms and the aligned table.
#include "harness/cli/list_format.hpp"

#include <catch2/catch.hpp>

#include "harness/catalog/bundle_filter.hpp"
#include "harness/evidence/timestamp.hpp"

using namespace crm::harness;
using std::chrono::hours;
using std::chrono::seconds;

TEST_CASE("list format: sizes in binary units, ages in the largest whole unit") {
    CHECK(cli::human_size(0) == "0 B");
    CHECK(cli::human_size(1023) == "1023 B");
    CHECK(cli::human_size(1024) == "1.0 KiB");
    CHECK(cli::human_size(310'374) == "303.1 KiB");
    CHECK(cli::human_size(5ull << 30) == "5.0 GiB");
    CHECK(cli::human_age(seconds(59)) == "59s");
    CHECK(cli::human_age(seconds(3 * 3600 + 59 * 60)) == "3h");
    CHECK(cli::human_age(hours(49)) == "2d");
    CHECK(cli::human_age(seconds(-5)) == "0s");
}

TEST_CASE("list filter: --since takes an instant with an offset or a duration before now") {
    const auto now = evidence::parse_iso8601("2026-11-03T12:00:00Z").value();
    CHECK(catalog::parse_since("2026-11-01T09:00:00+08:00", now) == evidence::parse_iso8601("2026-11-01T01:00:00Z"));
    CHECK(catalog::parse_since("36h", now) == evidence::parse_iso8601("2026-11-02T00:00:00Z"));
    CHECK_FALSE(catalog::parse_since("2026-11-01T09:00:00", now));  // no offset: ambiguous
    CHECK_FALSE(catalog::parse_since("yesterday", now));
}

TEST_CASE("list filter: scenario, host URL or key, start time, and not-trusted") {
    catalog::BundleEntry e;
    e.scenario = "default";
    e.host_kind = "real";
    e.host_url = "https://relay.example.com/";
    e.started = evidence::parse_iso8601("2026-11-02T00:00:00Z");
    e.trust = catalog::Trust::trusted;
    CHECK(catalog::BundleFilter{}.matches(e));
    CHECK(catalog::BundleFilter{"default", "relay.example", std::nullopt, false}.matches(e));
    CHECK_FALSE(catalog::BundleFilter{"release", "", std::nullopt, false}.matches(e));
    CHECK_FALSE(catalog::BundleFilter{"", "other.example", std::nullopt, false}.matches(e));
    CHECK_FALSE(catalog::BundleFilter{"", "", std::nullopt, true}.matches(e));
    CHECK(catalog::BundleFilter{"", "", evidence::parse_iso8601("2026-11-01T00:00:00Z"), false}.matches(e));
    CHECK_FALSE(catalog::BundleFilter{"", "", evidence::parse_iso8601("2026-11-03T00:00:00Z"), false}.matches(e));
    e.started.reset();
    CHECK_FALSE(catalog::BundleFilter{"", "", evidence::parse_iso8601("2026-11-01T00:00:00Z"), false}.matches(e));
    e.host_kind = "stub";
    e.cells.push_back({});
    e.cells.back().host_key = catalog::host_key("stub", "http://127.0.0.1:1", "default", "main");
    CHECK(catalog::BundleFilter{"", "stub:default/main", std::nullopt, false}.matches(e));
}

TEST_CASE("list format: the table pads every column to its widest value") {
    catalog::BundleEntry a;
    a.stamp = "20261101_090000";
    a.scenario = "default";
    a.host_kind = "stub";
    a.status = "complete";
    a.trust = catalog::Trust::trusted;
    a.size_bytes = 2048;
    a.started = evidence::parse_iso8601("2026-11-01T09:00:00Z");
    catalog::BundleEntry b = a;
    b.scenario = "a-much-longer-name";
    b.writing = true;
    b.trust = catalog::Trust::incomplete;
    const auto now = evidence::parse_iso8601("2026-11-01T12:00:00Z").value();
    const auto table = cli::list_table({&a, &b}, now);
    const auto first_nl = table.find('\n');
    const auto header = table.substr(0, first_nl);
    const auto row_a = table.substr(first_nl + 1, table.find('\n', first_nl + 1) - first_nl - 1);
    CHECK(header.find("TRUST") == row_a.find("trusted"));
    CHECK(table.find("writing") != std::string::npos);
    CHECK(table.find("2.0 KiB") != std::string::npos);
    CHECK(row_a.ends_with("3h"));
}
