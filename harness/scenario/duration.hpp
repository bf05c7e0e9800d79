#pragma once
// Durations as operators write them, in scenarios (gate.max_evidence_age) and on the command line
// (board/prune --max-age, --grace, list --since): a positive whole number followed by one unit,
// s, m, h or d ("90s", "30m", "24h", "7d"). One parser, so a scenario and a flag never disagree
// about what "7d" means.
#include <chrono>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::harness::scenario {

// invalid_input on anything else; the message is `bad duration "<text>" (use e.g. 24h, 30m, 7d,
// 90s)` or `must be positive`, without a location, so callers prefix the field or flag.
[[nodiscard]] util::Result<std::chrono::seconds> parse_duration(std::string_view text);

// The compact form an age is shown in: the two largest non-zero units ("3d4h", "5h12m", "42m",
// "30s", "0s"). Negative durations are shown as "0s" (a clock running behind is not an age).
[[nodiscard]] std::string format_duration(std::chrono::seconds d);

}  // namespace crm::harness::scenario
