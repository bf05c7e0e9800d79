#pragma once
// What the operator verbs (list, status, board, prune) know about one bundle under an evidence
// root: its provenance, whether it can be trusted, its gate result, and one row per recorded cell.
// An entry is derived from the bundle alone (Bundle::open + verify's check_bundle); the SQLite
// index (catalog_index.hpp) only caches entries, keyed by the bundle's folder name and the hash of
// its MANIFEST.sha256, so it can always be rebuilt from the bundles.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/evidence/timestamp.hpp"
#include "harness/gate/gate.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/error.hpp"

namespace crm::harness::catalog {

// How far a bundle can be believed. Only `trusted` bundles prove anything on the board.
enum class Trust {
    trusted,     // complete, and verify's checks all hold
    incomplete,  // honest so far, but the run did not finish (still writing, killed or interrupted)
    untrusted,   // verify failed: changed, missing or extra files, a secret, bad layout or content
    unreadable,  // not a bundle this build can read (00-run.json missing, malformed, other schema)
};
[[nodiscard]] std::string_view to_string(Trust t) noexcept;
[[nodiscard]] std::optional<Trust> parse_trust(std::string_view s) noexcept;

// One recorded cell of the bundle (finished or not).
struct CellEntry {
    std::string id;        // cell folder name
    std::string host_key;  // board identity of the host (host_key())
    std::string host_name;
    scenario::Mode mode = scenario::Mode::self_service;
    std::string provider;
    bool finished = false;  // 21-summary.json present
    // Meaningful when finished (otherwise cause/verdict are absent and the gate word is not_run).
    std::optional<classify::Cause> cause;
    std::optional<classify::Verdict> verdict;
    std::optional<classify::Cause> expected_cause;
    gate::CellOutcome gate_outcome = gate::CellOutcome::not_run;
    std::string gate_word;  // CellSummary::gate_word()
    std::string explanation;
    std::string started_at;  // ISO-8601 with offset; "" when the cell never started
    std::int64_t elapsed_ms = 0;
    friend bool operator==(const CellEntry&, const CellEntry&) = default;
};

struct BundleEntry {
    std::filesystem::path dir;  // absolute
    std::string name;           // folder name: "<stamp>_<scenario>[_<label>]"
    std::string stamp;          // "20261101_090000" (the first 15 characters of name)
    std::string scenario, scenario_sha256, label;
    std::string host_kind, host_url, host_version;  // the first host
    std::string started_at, ended_at;               // ISO-8601 with offset, as recorded
    std::optional<evidence::TimePoint> started;     // parsed started_at
    std::string clock_override;                     // "" unless stamped under CRM_ACCEPT_NOW
    std::string status;                             // complete | incomplete (00-run.json)
    bool interrupted = false;
    // A run holds the bundle's write lock right now (evidence::bundle_being_written): the entry
    // is incomplete, and the index never caches it (it is read again on the next open).
    bool writing = false;
    Trust trust = Trust::unreadable;
    std::string trust_reason;   // first failed check / read error, one line; "" when trusted
    std::string gate_decision;  // summary gate word (passed | failed | blocked ...); "" if none
    bool gate_passed = false;
    int exit_code = -1;  // recorded exit code; -1 when the run never finished
    std::uint64_t size_bytes = 0;
    std::string manifest_sha256;   // sha256 of MANIFEST.sha256's bytes; "" when there is none
    std::vector<CellEntry> cells;  // matrix order

    // How many recorded cells ended with each verdict word ("ready", "blocked", ... "not_run").
    [[nodiscard]] std::vector<std::pair<std::string, std::size_t>> verdict_counts() const;
};

// The board's identity of a host: a real host is its URL (without a trailing slash); a stub host
// lives for one run on a random loopback port and is defined by its scenario, so it is
// "stub:<scenario>/<host name>".
[[nodiscard]] std::string host_key(std::string_view kind, std::string_view url, std::string_view scenario,
                                   std::string_view host_name);

// Reads one bundle folder into an entry. Never fails on a bad bundle: a bundle that cannot be read
// is an entry with trust = unreadable and the reason. Fails (io) only when `dir` is not a readable
// directory.
[[nodiscard]] util::Result<BundleEntry> read_entry(const std::filesystem::path& dir);

// A cheap fingerprint that changes whenever read_entry's answer can change, the way git's index
// notices edits: the folder name, the sha256 of MANIFEST.sha256 ("" when absent), and the count,
// total size and newest mtime (ns) of every file under the folder (stat only, no hashing). The
// index re-reads (and re-verifies) a bundle when it differs from what was stored; an edit that
// keeps every size and mtime is caught by --reindex, which re-hashes everything.
[[nodiscard]] std::string fingerprint(const std::filesystem::path& dir);

}  // namespace crm::harness::catalog
