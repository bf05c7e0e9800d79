#pragma once
// "Did you mean": the known name an unknown command or verb was probably meant to be.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::harness::cli {

// Edits between `a` and `b`: inserting, deleting or replacing one character, or swapping two
// adjacent ones ("rnu" -> "run" is one edit).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The name in `names` fewest edits away from `typed`, when that is at most 2 edits; among
// equally close names, the earlier one. nullopt when none is that close (or `typed` is empty).
[[nodiscard]] std::optional<std::string> did_you_mean(std::string_view typed, const std::vector<std::string>& names);

}  // namespace crm::harness::cli
