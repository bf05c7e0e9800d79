#pragma once
// Which bundles an operator verb looks at: the filters `list` takes (--scenario, --host,
// --since, --incomplete), kept here so every verb that lists bundles filters them the same way.
#include <optional>
#include <string>
#include <string_view>

#include "harness/catalog/bundle_entry.hpp"
#include "harness/evidence/timestamp.hpp"

namespace crm::harness::catalog {

struct BundleFilter {
    std::string scenario;                    // exact scenario name; "" = any
    std::string host;                        // substring of the host URL or of any host key; "" = any
    std::optional<evidence::TimePoint> since;  // started at or after; a bundle with no start time never matches
    bool incomplete_only = false;            // only bundles that are not trusted-complete

    [[nodiscard]] bool matches(const BundleEntry& e) const;
};

// --since: an ISO-8601 instant with an offset (evidence::parse_iso8601), or a duration before
// `now` ("24h", "7d": util::parse_duration). nullopt for anything else.
[[nodiscard]] std::optional<evidence::TimePoint> parse_since(std::string_view text, evidence::TimePoint now);

}  // namespace crm::harness::catalog
