#include "harness/ci/auto_shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace crm::harness::ci {

namespace {

constexpr int k_max_total = 1000;  // matrix::parse_shard's bound

// A non-negative decimal without sign or spaces; nullopt otherwise.
std::optional<int> number(std::string_view s) {
    int v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc{} || p != end || v < 0) return std::nullopt;
    return v;
}

// The variable `name` as a number; an unset variable is nullopt, a malformed one an error.
util::Result<std::optional<int>> read(const util::EnvLookup& env, std::string_view name) {
    auto v = env(name);
    if (!v || v->empty()) return std::optional<int>{};  // `VAR=` is how a job template unsets it
    auto n = number(*v);
    if (!n)
        return util::fail(util::ErrorCode::invalid_input, fmt::format("--shard auto: {}={} is not a number", name, *v));
    return n;
}

}  // namespace

bool is_auto_shard(std::string_view spec) noexcept { return spec == "auto" || spec.starts_with("auto/"); }

std::string AutoShard::text() const { return fmt::format("{}/{}", shard.k, shard.n); }

util::Result<AutoShard> resolve_auto_shard(std::string_view spec, const util::EnvLookup& env) {
    std::optional<int> fixed_total;
    if (spec.starts_with("auto/")) {
        fixed_total = number(spec.substr(5));
        if (!fixed_total || *fixed_total < 1 || *fixed_total > k_max_total)
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("--shard {}: N must be a number from 1 to {}", spec, k_max_total));
    } else if (spec != "auto") {
        return util::fail(util::ErrorCode::invalid_input, fmt::format("--shard {}: expected auto or auto/N", spec));
    }

    struct Source {
        std::string_view index, total;
        int base;  // 1: the index counts from 1; 0: from 0
    };
    // JOB_COMPLETION_INDEX has no total of its own: CRM_SHARD_TOTAL or auto/N gives it.
    constexpr Source k_sources[] = {{"CRM_SHARD_INDEX", "CRM_SHARD_TOTAL", 1},
                                    {"CI_NODE_INDEX", "CI_NODE_TOTAL", 1},
                                    {"JOB_COMPLETION_INDEX", "CRM_SHARD_TOTAL", 0}};
    for (const auto& src : k_sources) {
        CRM_TRY(index, read(env, src.index));
        if (!index) continue;
        CRM_TRY(total, read(env, src.total));
        if (total && fixed_total && *total != *fixed_total)
            return util::fail(util::ErrorCode::invalid_input, fmt::format("--shard {}: {}={} disagrees with N={}", spec,
                                                                          src.total, *total, *fixed_total));
        if (!total) total = fixed_total;
        if (!total)
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("--shard auto: {} is set but the total is not: set {} or use --shard auto/N",
                                          src.index, src.total));
        if (*total < 1 || *total > k_max_total)
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("--shard auto: a total of {} shards is outside 1..{}", *total, k_max_total));
        const int k = *index + (1 - src.base);
        if (k < 1 || k > *total)
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("--shard auto: {}={} is outside {}..{} for {} shards", src.index, *index,
                                          src.base, *total - 1 + src.base, *total));
        AutoShard out{matrix::Shard{k, *total}, fmt::format("{}={}, total {}", src.index, *index, *total)};
        return out;
    }
    return util::fail(util::ErrorCode::invalid_input,
                      "--shard auto: no shard index in the environment (set CRM_SHARD_INDEX/CRM_SHARD_TOTAL, "
                      "GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX "
                      "with CRM_SHARD_TOTAL or --shard auto/N)");
}

}  // namespace crm::harness::ci
