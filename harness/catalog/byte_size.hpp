#pragma once
// Sizes as operators write them for evidence budgets (prune --max-size, status --budget): a
// positive whole number with an optional binary unit, K, M, G or T (1024-based, an optional
// trailing "B" or "iB" accepted: "500M", "2G", "2GiB", "750000"). Shown back in the same units.
#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::harness::catalog {

// invalid_input `bad size "<text>" (use e.g. 500M, 2G, or bytes)` without a location, so callers
// prefix the flag.
[[nodiscard]] util::Result<std::uint64_t> parse_byte_size(std::string_view text);

// "0B", "812B", "4.2K", "512.0M", "2.0G": one decimal above a kibibyte.
[[nodiscard]] std::string format_byte_size(std::uint64_t bytes);

}  // namespace crm::harness::catalog
