#pragma once
// Durations as operators write them: a positive whole number and one unit, "90s", "30m", "24h",
// "7d". Shared by the scenario's gate.max_evidence_age and `list --since`, so both accept the
// same forms.
#include <chrono>
#include <optional>
#include <string_view>

namespace crm::util {

// nullopt for anything else (no unit, an unknown unit, zero, a sign, more than 9 digits).
[[nodiscard]] std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Go's time.ParseDuration spelling, as the control plane's environment takes it: one or more
// whole numbers each with a unit of h, m, s or ms, largest first or not ("1h30m", "90s",
// "250ms", "1m30s"). nullopt for anything else: no unit, another unit (d, us, ns), a sign, a
// fraction, more than 9 digits in one part, or a total of zero.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);

}  // namespace crm::util
