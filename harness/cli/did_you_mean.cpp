#include "harness/cli/did_you_mean.hpp"

#include <algorithm>

namespace crm::harness::cli {

namespace {
constexpr std::size_t k_max_edits = 2;
}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: Levenshtein plus adjacent transpositions, over three rows.
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                cur[j] = std::min(cur[j], before[j - 2] + 1);
            }
        }
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view typed, const std::vector<std::string>& names) {
    if (typed.empty()) return std::nullopt;
    std::optional<std::string> best;
    std::size_t best_edits = k_max_edits + 1;
    for (const auto& name : names) {
        const auto edits = edit_distance(typed, name);
        if (edits < best_edits) {
            best = name;
            best_edits = edits;
        }
    }
    return best;
}

}  // namespace crm::harness::cli
