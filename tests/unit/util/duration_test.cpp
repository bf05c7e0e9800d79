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

TEST_CASE("go duration: single and composite parts in h, m, s and ms", "[util]") {
    using namespace std::chrono_literals;
    CHECK(crm::util::parse_go_duration("30s") == std::optional(std::chrono::milliseconds(30s)));
    CHECK(crm::util::parse_go_duration("5m") == std::optional(std::chrono::milliseconds(5min)));
    CHECK(crm::util::parse_go_duration("1h30m") == std::optional(std::chrono::milliseconds(90min)));
    CHECK(crm::util::parse_go_duration("1m30s") == std::optional(std::chrono::milliseconds(90s)));
    CHECK(crm::util::parse_go_duration("250ms") == std::optional(250ms));
    CHECK(crm::util::parse_go_duration("1s500ms") == std::optional(1500ms));
    CHECK(crm::util::parse_go_duration("2h0m") == std::optional(std::chrono::milliseconds(2h)));
}

TEST_CASE("go duration: anything else is refused", "[util]") {
    for (const char* bad : {"", "30", "s", "5d", "1.5h", "-5m", "+5m", "0s", "0h0m", "5 m", "5M", "10us", "1h30",
                            "1234567890s", "ms", "h30m"}) {
        INFO(bad);
        CHECK_FALSE(crm::util::parse_go_duration(bad).has_value());
    }
}
