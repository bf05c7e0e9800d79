#pragma once
// Time formatting for evidence: every timestamp carries its UTC offset ("a past artifact is not
// today's truth" needs an unambiguous instant). Local time uses the process TZ.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crm::harness::evidence {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-11-24T01:02:03+01:00" (local) or "2026-11-24T00:02:03+00:00" (utc = true).
[[nodiscard]] std::string iso8601(TimePoint t, bool utc = false);
// "20261124_010203": the bundle folder stamp.
[[nodiscard]] std::string bundle_stamp(TimePoint t, bool utc = false);
// The local zone's abbreviation at `t` ("UTC", "CET"), or "UTC" when utc = true.
[[nodiscard]] std::string timezone_name(TimePoint t, bool utc = false);

// Parses what iso8601() writes ("2026-11-24T01:02:03+01:00"), and the "Z" form for UTC.
// nullopt for anything else (a date without an offset is ambiguous, so it is refused).
[[nodiscard]] std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace crm::harness::evidence
