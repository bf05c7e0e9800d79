#include "harness/catalog/board.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace crm::harness::catalog {

namespace {

using Clock = std::chrono::system_clock;

// One cell of one bundle, as seen by a board row.
struct Observation {
    const BundleEntry* bundle = nullptr;
    const CellEntry* cell = nullptr;
    [[nodiscard]] bool proves() const { return bundle->trust == Trust::trusted && cell->finished && cell->verdict; }
    [[nodiscard]] bool good() const {
        return cell->cause == classify::Cause::ready || (cell->expected_cause && cell->cause == cell->expected_cause);
    }
};

using RowKey = std::tuple<std::string, int, std::string>;

std::chrono::seconds age_of(const BundleEntry& b, evidence::TimePoint now) {
    if (!b.started) return std::chrono::seconds::max();  // an unknown age is never fresh
    return std::chrono::duration_cast<std::chrono::seconds>(now - *b.started);
}

std::string describe_non_proof(const Observation& o) {
    std::string why;
    switch (o.bundle->trust) {
        case Trust::trusted:
            why = "cell did not finish";
            break;
        case Trust::incomplete:
            why = "incomplete";
            break;
        case Trust::untrusted:
            why = "untrusted";
            break;
        case Trust::unreadable:
            why = "unreadable";
            break;
    }
    if (o.cell->finished && o.cell->cause) why += fmt::format(", saw {}", classify::to_string(*o.cell->cause));
    return fmt::format("{} ({})", o.bundle->name, why);
}

std::size_t verdict_changes(const std::vector<std::string>& verdicts) {
    std::size_t changes = 0;
    for (std::size_t i = 1; i < verdicts.size(); ++i) changes += verdicts[i] != verdicts[i - 1] ? 1 : 0;
    return changes;
}

void judge_age(BoardRow& row, const BoardOptions& options) {
    if (options.max_age_override) {
        row.max_age = *options.max_age_override;
        row.max_age_source = "--max-age";
    } else if (auto it = options.scenario_max_age.find(row.bundle); it != options.scenario_max_age.end()) {
        row.max_age = it->second;
        row.max_age_source = "scenario";
    } else {
        row.max_age = options.default_max_age;
        row.max_age_source = "default";
    }
}

BoardRow build_row(const std::vector<Observation>& seen, const BoardOptions& options) {
    // `seen` is chronological: the last proving observation is the proof.
    BoardRow row;
    const CellEntry& newest = *seen.back().cell;
    row.host_key = newest.host_key;
    row.host_name = newest.host_name;
    row.mode = newest.mode;
    row.provider = newest.provider;

    std::optional<std::size_t> proof;
    const Observation* last_ready = nullptr;
    const Observation* last_good = nullptr;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (!seen[i].proves()) continue;
        proof = i;
        if (seen[i].cell->cause == classify::Cause::ready) last_ready = &seen[i];
        if (seen[i].good()) last_good = &seen[i];
    }
    for (std::size_t i = seen.size(); i-- > 0 && row.recent_verdicts.size() < k_flap_window;) {
        if (seen[i].proves()) row.recent_verdicts.emplace_back(classify::to_string(*seen[i].cell->verdict));
    }
    row.flapping = verdict_changes(row.recent_verdicts) >= k_flap_changes;
    if (last_ready) {
        row.last_ready_at = last_ready->bundle->started_at;
        row.last_ready_bundle = last_ready->bundle->name;
    }
    if (proof) {
        const Observation& p = seen[*proof];
        row.proven = true;
        row.cell = p.cell->id;
        row.cause = p.cell->cause;
        row.verdict = p.cell->verdict;
        row.expected_cause = p.cell->expected_cause;
        row.as_expected = p.cell->expected_cause && p.cell->cause == p.cell->expected_cause;
        row.explanation = p.cell->explanation;
        row.bundle = p.bundle->name;
        row.proven_at = p.bundle->started_at;
        row.age = age_of(*p.bundle, options.now);
    }
    judge_age(row, options);
    row.stale = row.proven && row.age > row.max_age;
    row.only_old_proof = last_good && age_of(*last_good->bundle, options.now) > row.max_age;
    // Everything after the proof (or everything, when there is none) proves nothing.
    const std::size_t after = proof ? *proof + 1 : 0;
    if (after < seen.size()) {
        row.superseded_note = describe_non_proof(seen.back());
        row.superseded_by_failure = row.proven;
    }
    return row;
}

}  // namespace

std::vector<std::string> BoardRow::flags() const {
    std::vector<std::string> out;
    if (stale) out.emplace_back("stale");
    if (superseded_by_failure) out.emplace_back("superseded_by_failure");
    if (flapping) out.emplace_back("flapping");
    if (only_old_proof) out.emplace_back("only_old_proof");
    return out;
}

const BoardRow* Board::stalest() const {
    const BoardRow* worst = nullptr;
    for (const auto& r : rows) {
        if (!r.proven) continue;
        if (!worst || (r.age - r.max_age) > (worst->age - worst->max_age)) worst = &r;
    }
    return worst;
}

std::size_t Board::count_flag(std::string_view flag) const {
    return static_cast<std::size_t>(std::ranges::count_if(rows, [&](const BoardRow& r) {
        const auto f = r.flags();
        return std::ranges::find(f, flag) != f.end();
    }));
}

Board build_board(const std::vector<BundleEntry>& entries, const BoardOptions& options) {
    std::vector<const BundleEntry*> ordered;
    ordered.reserve(entries.size());
    for (const auto& e : entries) ordered.push_back(&e);
    // A bundle without a readable start time sorts first: it can neither prove nor supersede.
    std::ranges::stable_sort(ordered, [](const BundleEntry* a, const BundleEntry* b) {
        const auto ta = a->started.value_or(evidence::TimePoint::min());
        const auto tb = b->started.value_or(evidence::TimePoint::min());
        return std::tie(ta, a->name) < std::tie(tb, b->name);
    });

    Board board;
    board.now = options.now;
    board.bundles = entries.size();
    std::map<RowKey, std::vector<Observation>> seen;
    for (const BundleEntry* b : ordered) {
        if (b->trust == Trust::trusted)
            ++board.trusted_bundles;
        else
            board.untrusted.push_back(UntrustedBundle{b->name, b->trust, b->trust_reason, b->started_at});
        for (const auto& c : b->cells) seen[{c.host_key, static_cast<int>(c.mode), c.provider}].push_back({b, &c});
    }
    for (const auto& [key, obs] : seen) board.rows.push_back(build_row(obs, options));
    return board;
}

}  // namespace crm::harness::catalog
