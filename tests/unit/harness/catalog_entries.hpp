#pragma once
// Hand-built catalog entries for the board and prune tests: pure logic over BundleEntry values,
// with times given as hours before a fixed "now".
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/catalog/bundle_entry.hpp"
#include "harness/classify/cause.hpp"
#include "harness/evidence/timestamp.hpp"

namespace crm::test {

using harness::catalog::BundleEntry;
using harness::catalog::CellEntry;
using harness::catalog::Trust;
using harness::classify::Cause;
using harness::scenario::Mode;

inline const harness::evidence::TimePoint k_now = std::chrono::system_clock::from_time_t(1793520000);

inline CellEntry cell(std::string provider, std::optional<Cause> cause, std::optional<Cause> expected = {},
                      Mode mode = Mode::self_service, std::string host = "https://relay.example") {
    CellEntry c;
    c.id = std::string(mode == Mode::self_service ? "self_service" : "subscription") + "__" + provider;
    c.host_key = host;
    c.host_name = "main";
    c.mode = mode;
    c.provider = std::move(provider);
    c.finished = cause.has_value();
    c.cause = cause;
    if (cause) c.verdict = harness::classify::verdict_of(*cause);
    c.expected_cause = expected;
    return c;
}

// A bundle started `hours_ago` hours before k_now.
inline BundleEntry bundle(int hours_ago, Trust trust, std::vector<CellEntry> cells, std::string scenario = "default",
                          std::uint64_t size = 1000) {
    BundleEntry b;
    b.started = k_now - std::chrono::hours(hours_ago);
    b.stamp = harness::evidence::bundle_stamp(*b.started, true);
    b.name = b.stamp + "_" + scenario;
    b.dir = "/evidence/" + b.name;
    b.scenario = scenario;
    b.started_at = harness::evidence::iso8601(*b.started, true);
    b.status = trust == Trust::incomplete ? "incomplete" : "complete";
    b.trust = trust;
    if (trust != Trust::trusted) b.trust_reason = "MANIFEST.sha256: 01-health.json: sha256 mismatch";
    b.host_kind = "real";
    b.host_url = "https://relay.example";
    b.size_bytes = size;
    b.cells = std::move(cells);
    return b;
}

}  // namespace crm::test
