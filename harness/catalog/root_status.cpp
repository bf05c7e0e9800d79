#include "harness/catalog/root_status.hpp"

namespace crm::harness::catalog {

RootStatus root_status(const std::vector<BundleEntry>& entries, const Board& board, std::uint64_t budget_bytes) {
    RootStatus s;
    s.budget_bytes = budget_bytes;
    s.bundles = entries.size();
    for (const auto& e : entries) {
        s.size_bytes += e.size_bytes;
        switch (e.trust) {
            case Trust::trusted:
                ++s.trusted;
                break;
            case Trust::incomplete:
                ++s.incomplete;
                break;
            case Trust::untrusted:
                ++s.untrusted;
                break;
            case Trust::unreadable:
                ++s.unreadable;
                break;
        }
    }
    s.over_budget = s.size_bytes > budget_bytes;
    s.not_trusted = board.untrusted;
    if (const BoardRow* r = board.stalest()) s.stalest = *r;
    return s;
}

}  // namespace crm::harness::catalog
