#pragma once
// An evidence root (default artifacts/real-host-acceptance) as the operator verbs see it: every
// bundle folder under it, each read once into a BundleEntry and cached in the SQLite index
// <root>/.crm-index.sqlite. The bundles stay the source of truth: the index is refreshed on every
// open (new, changed and removed folders), and --reindex rebuilds it from nothing.
//
// A bundle whose run is still writing (00-run.json says incomplete and its run lock is held) is
// listed as incomplete and never cached as complete.
//
// The index never makes a listing fail: a root that is read-only is listed without one, an index
// file that is not a database (or cannot be opened or written) is rebuilt or bypassed, each with
// one line in RefreshStats::warnings for the caller to print.
#include <cstddef>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/catalog/bundle_entry.hpp"
#include "util/error.hpp"

namespace crm::harness::catalog {

struct CatalogOptions {
    std::filesystem::path root;
    bool reindex = false;   // drop the index and read every bundle again
    bool use_index = true;  // false: read every bundle, touch no index file (read-only roots)
};

// What one open did, for --json output, the benchmark and tests.
struct RefreshStats {
    std::size_t bundles = 0;  // folders that look like bundles
    std::size_t read = 0;     // read (and verified) from disk this time
    std::size_t cached = 0;   // answered from the index (fingerprint unchanged)
    std::size_t removed = 0;  // index rows whose folder is gone
    bool index_rebuilt = false;
    std::vector<std::string> warnings;  // one line each: index rebuilt, bypassed, not updated
};

class Catalog {
  public:
    // not_found: the root does not exist. io: it is not a readable directory (the message names
    // it). Index trouble is a warning, never an error (see above).
    [[nodiscard]] static util::Result<Catalog> open(const CatalogOptions& options);

    [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
    // Every bundle, oldest stamp first (ties by name).
    [[nodiscard]] const std::vector<BundleEntry>& bundles() const { return m_bundles; }
    [[nodiscard]] const RefreshStats& stats() const { return m_stats; }

    // A bundle by path (inside or outside the root) or by a unique prefix of its folder name.
    // not_found: nothing matches; invalid_input: the prefix matches several (the message lists them).
    [[nodiscard]] util::Result<const BundleEntry*> find(std::string_view path_or_prefix) const;

  private:
    std::filesystem::path m_root;
    std::vector<BundleEntry> m_bundles;
    RefreshStats m_stats;
    // Bundles find() read from outside the root; a deque keeps the pointers it returned valid.
    mutable std::deque<BundleEntry> m_outside;
};

}  // namespace crm::harness::catalog
