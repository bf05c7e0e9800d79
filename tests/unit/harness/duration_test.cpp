// Duration flags read as the scenario reads gate.max_evidence_age, and the compact form ages are
// shown in.
#include "harness/scenario/duration.hpp"

#include <catch2/catch.hpp>

using crm::harness::scenario::format_duration;
using crm::harness::scenario::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("duration: s, m, h and d", "[scenario][duration]") {
    CHECK(parse_duration("90s").value() == 90s);
    CHECK(parse_duration("90m").value() == 90min);
    CHECK(parse_duration("24h").value() == 24h);
    CHECK(parse_duration("7d").value() == 7 * 24h);
}

TEST_CASE("duration: anything else is refused with the accepted forms", "[scenario][duration]") {
    for (const char* bad : {"", "h", "24", "24H", "1.5h", "-1h", "24 h", "1w", "9999999999d", "0h"}) {
        INFO(bad);
        auto r = parse_duration(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("use e.g. 24h") != std::string::npos);
    }
}

TEST_CASE("duration: ages show their two largest units", "[scenario][duration]") {
    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(-5s) == "0s");
    CHECK(format_duration(42min) == "42m");
    CHECK(format_duration(5h + 12min + 3s) == "5h12m");
    CHECK(format_duration(3 * 24h + 4h) == "3d4h");
    CHECK(format_duration(3 * 24h + 5min) == "3d");
}
