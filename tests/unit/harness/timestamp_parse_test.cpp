// parse_iso8601 reads back exactly what iso8601 writes, and refuses instants without an offset:
// evidence ages and the CRM_ACCEPT_NOW override depend on it.
#include <catch2/catch.hpp>
#include <chrono>

#include "harness/evidence/timestamp.hpp"

using namespace crm::harness::evidence;

TEST_CASE("timestamp: iso8601 round-trips through parse_iso8601", "[evidence][time]") {
    const TimePoint t = std::chrono::system_clock::from_time_t(1764547200);  // 2025-12-01T00:00:00Z
    for (bool utc : {true, false}) {
        auto back = parse_iso8601(iso8601(t, utc));
        REQUIRE(back);
        CHECK(*back == t);
    }
}

TEST_CASE("timestamp: offsets and Z are honoured", "[evidence][time]") {
    auto z = parse_iso8601("2026-11-01T01:00:00Z");
    auto east = parse_iso8601("2026-11-01T09:00:00+08:00");
    auto west = parse_iso8601("2026-10-31T20:30:00-04:30");
    REQUIRE(z);
    REQUIRE(east);
    REQUIRE(west);
    CHECK(*z == *east);
    CHECK(*z == *west);
}

TEST_CASE("timestamp: anything else is refused", "[evidence][time]") {
    for (const char* bad : {"", "2026-11-01", "2026-11-01T09:00:00", "2026-11-01 09:00:00Z", "2026-13-01T09:00:00Z",
                            "2026-11-01T25:00:00Z", "2026-11-01T09:00:00+8:00", "2026-11-01T09:00:00+08:00junk",
                            "yesterday", "2026-11-01T09:00:00*08:00"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad));
    }
}
