#pragma once
// Durations on the command line (board/prune/status --max-age, prune --grace): the grammar of
// util::parse_duration (util/duration.hpp: "90s", "30m", "24h", "7d"), shared with the scenario's
// gate.max_evidence_age and `list --since`, with the one-line error a flag reports; and the
// compact form an evidence age is shown in.
#include <chrono>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::harness::scenario {

// invalid_input `bad duration "<text>" (use e.g. 24h, 30m, 7d, 90s)` on anything
// util::parse_duration refuses; no location, so callers prefix the flag or field.
[[nodiscard]] util::Result<std::chrono::seconds> parse_duration(std::string_view text);

// The two largest non-zero units ("3d4h", "5h12m", "42m", "30s", "0s"). Negative durations are
// shown as "0s" (a clock running behind is not an age).
[[nodiscard]] std::string format_duration(std::chrono::seconds d);

}  // namespace crm::harness::scenario
