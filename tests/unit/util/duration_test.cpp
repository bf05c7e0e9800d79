// util::parse_duration: the duration forms a scenario's max_evidence_age and `list --since` share.
#include "util/duration.hpp"

#include <catch2/catch.hpp>

using crm::util::parse_duration;
using std::chrono::seconds;

TEST_CASE("duration: a whole number and one unit of s, m, h or d") {
    CHECK(parse_duration("90s") == seconds(90));
    CHECK(parse_duration("30m") == seconds(1800));
    CHECK(parse_duration("24h") == seconds(86400));
    CHECK(parse_duration("7d") == seconds(7 * 86400));
}

TEST_CASE("duration: anything else is refused, never guessed") {
    for (const char* bad : {"", "h", "24", "0h", "-1h", "+1h", "1.5h", "24H", "1w", "h24", "1234567890d", " 1h"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}
