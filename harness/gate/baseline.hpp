#pragma once
// The expected-failures baseline (a burn-down ledger): known failures that may pass the gate,
// each with the bundle that first recorded it and an optional expiry. A listed cell that now
// passes makes the entry *stale*, and a stale entry fails the gate, so the ledger cannot rot.
//
// File format (JSON, comments allowed):
//   { "schema_version": 1,
//     "entries": [ { "cell": "subscription__kimi", "cause": "host_compatibility_gap",
//                    "reason": "host rewrites system prompts", "bundle": "artifacts/...",
//                    "expires": "2026-12-31" } ] }
// `cause` is optional (any failing cause is excused when absent); `expires` is a UTC date after
// which the entry no longer excuses anything.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/classify/cause.hpp"
#include "util/error.hpp"

namespace crm::harness::gate {

struct BaselineEntry {
    std::string cell;
    std::optional<classify::Cause> cause;
    std::string reason;
    std::string bundle;
    std::optional<std::string> expires;  // YYYY-MM-DD (UTC)
    friend bool operator==(const BaselineEntry&, const BaselineEntry&) = default;
};

struct Baseline {
    std::string source;
    std::vector<BaselineEntry> entries;
    [[nodiscard]] const BaselineEntry* find(std::string_view cell) const;
    friend bool operator==(const Baseline&, const Baseline&) = default;
};

// invalid_input with `file: entries[i].field: reason` on malformed input or unknown causes.
[[nodiscard]] util::Result<Baseline> parse_baseline(std::string_view text, std::string_view source);
[[nodiscard]] util::Result<Baseline> load_baseline(const std::filesystem::path& path);

}  // namespace crm::harness::gate
