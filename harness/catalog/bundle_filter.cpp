#include "harness/catalog/bundle_filter.hpp"

#include "util/duration.hpp"

namespace crm::harness::catalog {

namespace {

bool host_matches(const BundleEntry& e, std::string_view needle) {
    if (e.host_url.find(needle) != std::string::npos) return true;
    for (const auto& c : e.cells) {
        if (c.host_key.find(needle) != std::string::npos) return true;
    }
    return host_key(e.host_kind, e.host_url, e.scenario, {}).find(needle) != std::string::npos;
}

}  // namespace

bool BundleFilter::matches(const BundleEntry& e) const {
    if (!scenario.empty() && e.scenario != scenario) return false;
    if (!host.empty() && !host_matches(e, host)) return false;
    if (since && (!e.started || *e.started < *since)) return false;
    if (incomplete_only && e.trust == Trust::trusted) return false;
    return true;
}

std::optional<evidence::TimePoint> parse_since(std::string_view text, evidence::TimePoint now) {
    if (auto instant = evidence::parse_iso8601(text)) return instant;
    if (auto ago = util::parse_duration(text)) return now - *ago;
    return std::nullopt;
}

}  // namespace crm::harness::catalog
