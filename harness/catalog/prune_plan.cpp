#include "harness/catalog/prune_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "harness/catalog/byte_size.hpp"
#include "harness/scenario/duration.hpp"

namespace crm::harness::catalog {

namespace {

// The host a bundle's keep budget is counted on: its first cell's board identity, so stub runs of
// one scenario (a new loopback port each time) share a budget.
std::string host_of(const BundleEntry& b) {
    if (!b.cells.empty()) return b.cells.front().host_key;
    return host_key(b.host_kind, b.host_url, b.scenario, "");
}

std::map<std::string, std::vector<std::string>> proofs_of(const Board& board) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& r : board.rows) {
        if (!r.proven) continue;
        out[r.bundle].push_back(fmt::format("{} {} {}", r.host_key, scenario::to_string(r.mode), r.provider));
    }
    return out;
}

std::vector<std::string> protections_of(const BundleEntry& b, const PruneOptions& options,
                                        const std::map<std::string, std::vector<std::string>>& proofs) {
    std::vector<std::string> out;
    if (auto it = proofs.find(b.name); it != proofs.end()) {
        const auto& rows = it->second;
        out.push_back(rows.size() == 1
                          ? fmt::format("newest trusted proof of {}", rows.front())
                          : fmt::format("newest trusted proof of {} board cells ({}, ...)", rows.size(), rows.front()));
    }
    if (auto it = options.baseline_refs.find(b.name); it != options.baseline_refs.end())
        out.push_back(fmt::format("named by baseline {}", it->second));
    if (b.writing) out.emplace_back("write lock held: a run is writing it");
    if (b.trust == Trust::incomplete) {
        const bool young = !b.started || options.now - *b.started < options.grace;
        if (young)
            out.push_back(fmt::format("incomplete and younger than the grace period {}",
                                      scenario::format_duration(options.grace)));
    }
    return out;
}

}  // namespace

std::string_view to_string(PruneAction a) noexcept {
    switch (a) {
        case PruneAction::remove:
            return "remove";
        case PruneAction::protect:
            return "protected";
        case PruneAction::keep:
            return "keep";
    }
    return "keep";
}

std::vector<const PruneItem*> PrunePlan::removals() const {
    std::vector<const PruneItem*> out;
    for (const auto& i : items) {
        if (i.action == PruneAction::remove) out.push_back(&i);
    }
    return out;
}

PrunePlan plan_prune(const std::vector<BundleEntry>& entries, const Board& board, const PruneOptions& options) {
    std::vector<const BundleEntry*> ordered;
    for (const auto& e : entries) ordered.push_back(&e);
    std::ranges::stable_sort(ordered, [](const BundleEntry* a, const BundleEntry* b) {
        const auto ta = a->started.value_or(evidence::TimePoint::min());
        const auto tb = b->started.value_or(evidence::TimePoint::min());
        return std::tie(ta, a->name) < std::tie(tb, b->name);
    });
    const auto proofs = proofs_of(board);

    PrunePlan plan;
    for (const BundleEntry* b : ordered) {
        PruneItem item{b->name, b->dir, b->started_at, b->trust, b->size_bytes, PruneAction::keep, {}, {}};
        item.protections = protections_of(*b, options, proofs);
        plan.total_bytes += b->size_bytes;
        plan.items.push_back(std::move(item));
    }

    if (options.keep) {
        // Newest first within each scenario + host.
        std::map<std::pair<std::string, std::string>, std::size_t> seen;
        for (std::size_t i = ordered.size(); i-- > 0;) {
            const BundleEntry& b = *ordered[i];
            const std::size_t n = ++seen[{b.scenario, host_of(b)}];
            if (n > *options.keep)
                plan.items[i].rules.push_back(
                    fmt::format("keep {}: older than the newest {} of {} on {}", *options.keep, *options.keep,
                                b.scenario.empty() ? "(no scenario)" : b.scenario, host_of(b)));
        }
    }
    if (options.max_age) {
        for (std::size_t i = 0; i < ordered.size(); ++i) {
            const BundleEntry& b = *ordered[i];
            if (!b.started) continue;  // no start time, no age: the age rule cannot judge it
            const auto age = std::chrono::duration_cast<std::chrono::seconds>(options.now - *b.started);
            if (age > *options.max_age)
                plan.items[i].rules.push_back(fmt::format("max age {}: started {} ago",
                                                          scenario::format_duration(*options.max_age),
                                                          scenario::format_duration(age)));
        }
    }
    auto settle = [&] {
        plan.freed_bytes = 0;
        for (auto& item : plan.items) {
            if (item.rules.empty()) continue;
            item.action = item.protections.empty() ? PruneAction::remove : PruneAction::protect;
            if (item.action == PruneAction::remove) plan.freed_bytes += item.size_bytes;
        }
        plan.remaining_bytes = plan.total_bytes - plan.freed_bytes;
    };
    settle();
    if (options.max_size) {
        for (auto& item : plan.items) {
            if (plan.remaining_bytes <= *options.max_size) break;
            if (item.action != PruneAction::keep) continue;
            item.rules.push_back(fmt::format("max size {}: the root holds {}, oldest go first",
                                             format_byte_size(*options.max_size),
                                             format_byte_size(plan.remaining_bytes)));
            if (!item.protections.empty()) {
                item.action = PruneAction::protect;  // shown as kept, and the next oldest is tried
                continue;
            }
            item.action = PruneAction::remove;
            plan.freed_bytes += item.size_bytes;
            plan.remaining_bytes -= item.size_bytes;
        }
        plan.still_over_size = plan.remaining_bytes > *options.max_size;
    }
    return plan;
}

}  // namespace crm::harness::catalog
