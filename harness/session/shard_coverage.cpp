#include "harness/session/shard_coverage.hpp"

#include <fmt/format.h>

#include <set>

#include "harness/matrix/matrix.hpp"

namespace crm::harness::session {

namespace {

using Present = std::map<std::size_t, std::string>;

std::string join_missing(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return fmt::format("shards do not cover the matrix: missing {} (pass every shard)", out);
}

// Without the scenario the shards' own records have to do. No --only: the matrix is indexes
// 0..cells_total-1, and a missing cell can be named by index only (its id lived in the shard
// that was not passed). With --only the selected indexes are unknown, so the shards themselves
// must be complete: K = 1..N of one N, or one unsharded bundle. A --rerun-failed bundle holds
// only what failed earlier and covers nothing by itself.
std::optional<std::string> coverage_from_records(const std::vector<evidence::EarlierBundle>& shards,
                                                 const Present& cells, const std::string& scen_path) {
    const auto& first = shards.front();
    if (first.run.only.empty()) {
        if (first.run.cells_total == 0)
            return fmt::format(
                "cannot check that the shards cover the matrix: scenario {} is not available "
                "unchanged and 00-run.json records no cells_total",
                scen_path);
        std::vector<std::string> missing;
        for (std::size_t i = 0; i < first.run.cells_total; ++i) {
            if (!cells.contains(i)) missing.push_back(fmt::format("#{}", i));
        }
        if (missing.empty()) return std::nullopt;
        return join_missing(missing) +
               fmt::format("; cells named by matrix index of {}: scenario {} is not available unchanged",
                           first.run.cells_total, scen_path);
    }
    std::set<int> ks;
    int n = 0;
    for (const auto& sh : shards) {
        if (!sh.run.rerun_failed.empty()) continue;
        if (sh.run.shard.empty()) return std::nullopt;
        auto parsed = matrix::parse_shard(sh.run.shard);
        if (!parsed) continue;
        if (n != 0 && parsed->n != n)
            return fmt::format("{} is shard {} and {} is of {} shards: not shards of one run", sh.dir.string(),
                               sh.run.shard, shards.front().dir.string(), n);
        n = parsed->n;
        ks.insert(parsed->k);
    }
    if (n == 0)
        return fmt::format("cannot check that the shards cover --only '{}': scenario {} is not available unchanged",
                           first.run.only, scen_path);
    std::vector<std::string> missing;
    for (int k = 1; k <= n; ++k) {
        if (!ks.contains(k)) missing.push_back(fmt::format("shard {}/{}", k, n));
    }
    if (missing.empty()) return std::nullopt;
    return join_missing(missing);
}

}  // namespace

// With the scenario at hand (unchanged) the expected cells are its expansion, narrowed by the
// recorded --only.
std::optional<std::string> coverage_problem(const std::vector<evidence::EarlierBundle>& shards, const Present& present,
                                            const std::optional<scenario::Scenario>& scenario,
                                            const std::string& scenario_path) {
    if (!scenario) return coverage_from_records(shards, present, scenario_path);
    auto expected = matrix::expand(*scenario);
    if (!shards.front().run.only.empty()) expected = matrix::filter_only(expected, shards.front().run.only);
    std::set<std::string> ids;
    for (const auto& [idx, id] : present) ids.insert(id);
    auto missing = matrix::missing_cells(expected, ids);
    if (missing.empty()) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& c : missing) names.push_back(c.id);
    return join_missing(names);
}

}  // namespace crm::harness::session
