#pragma once
// Which bundles under an evidence root may go, and why: a pure plan over catalog entries (the
// CLI prints it as a dry run, and deletes exactly its removals with --apply, prune_apply.hpp).
//
// Rules (each optional; a bundle goes when any rule selects it):
//   keep N    beyond the newest N bundles of its scenario on its host (started time, newest first)
//   max age   started longer than max age ago
//   max size  while the root is over the size, the oldest remaining bundles go first
// Protections (a protected bundle never goes, whatever selected it):
//   the newest trustworthy proof of any board row; a bundle a baseline names; a bundle whose
//   write lock is held (a run is writing it); an incomplete bundle younger than the grace period.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/catalog/board.hpp"
#include "harness/catalog/bundle_entry.hpp"
#include "harness/evidence/timestamp.hpp"

namespace crm::harness::catalog {

inline constexpr std::chrono::seconds k_default_grace{6 * 3600};

struct PruneOptions {
    evidence::TimePoint now;
    std::optional<std::size_t> keep;
    std::optional<std::chrono::seconds> max_age;
    std::optional<std::uint64_t> max_size;
    std::chrono::seconds grace = k_default_grace;
    // Bundle folder name -> the baseline file that names it (baseline_refs.hpp).
    std::map<std::string, std::string> baseline_refs;
};

enum class PruneAction {
    remove,   // a rule selected it and nothing protects it
    protect,  // a rule selected it, but it is protected
    keep,     // no rule selected it
};
[[nodiscard]] std::string_view to_string(PruneAction a) noexcept;

struct PruneItem {
    std::string name;
    std::filesystem::path dir;
    std::string started_at;
    Trust trust = Trust::unreadable;
    std::uint64_t size_bytes = 0;
    PruneAction action = PruneAction::keep;
    std::vector<std::string> rules;        // why it would go: "keep 3: ...", "max age ...", "max size ..."
    std::vector<std::string> protections;  // why it must stay; empty when unprotected
};

struct PrunePlan {
    std::vector<PruneItem> items;  // oldest first
    std::uint64_t total_bytes = 0;
    std::uint64_t freed_bytes = 0;      // sum of the removals
    std::uint64_t remaining_bytes = 0;  // total - freed
    // --max-size was given and protected bundles alone keep the root over it.
    bool still_over_size = false;

    [[nodiscard]] std::vector<const PruneItem*> removals() const;
};

// `board` is build_board over the same entries: its proving bundles are protected.
[[nodiscard]] PrunePlan plan_prune(const std::vector<BundleEntry>& entries, const Board& board,
                                   const PruneOptions& options);

}  // namespace crm::harness::catalog
