#pragma once
// The evidence root at a glance (crm-accept status): its size against a budget, how many bundles
// can be trusted, which cannot, and the board row whose proof is stalest. Pure, over the catalog's
// entries and the board built from them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "harness/catalog/board.hpp"
#include "harness/catalog/bundle_entry.hpp"

namespace crm::harness::catalog {

inline constexpr std::uint64_t k_default_budget_bytes = 2ULL << 30;  // 2G

struct RootStatus {
    std::uint64_t size_bytes = 0;  // the bundles' sizes added up
    std::uint64_t budget_bytes = k_default_budget_bytes;
    bool over_budget = false;
    std::size_t bundles = 0, trusted = 0, incomplete = 0, untrusted = 0, unreadable = 0;
    std::vector<UntrustedBundle> not_trusted;  // the incomplete, untrusted and unreadable ones, oldest first
    std::optional<BoardRow> stalest;           // Board::stalest()
};

[[nodiscard]] RootStatus root_status(const std::vector<BundleEntry>& entries, const Board& board,
                                     std::uint64_t budget_bytes);

}  // namespace crm::harness::catalog
