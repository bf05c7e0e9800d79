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

}  // namespace crm::util
