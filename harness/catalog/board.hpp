#pragma once
// The truth board: for every host × access mode × provider ever run under an evidence root, what
// the evidence proves today. Only trusted bundles prove anything; every other bundle is listed
// apart and never counts ("a past artifact is not today's truth" — nor is a tampered one).
//
// A pure function over catalog entries and an instant: no clock, no files. The caller (the CLI)
// supplies `now` from evidence::now() and each bundle's scenario max age (board_settings.hpp).
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/catalog/bundle_entry.hpp"
#include "harness/classify/cause.hpp"
#include "harness/evidence/timestamp.hpp"
#include "harness/scenario/scenario.hpp"

namespace crm::harness::catalog {

// How many of a row's newest trusted results the flapping check looks at.
inline constexpr std::size_t k_flap_window = 5;
// A row flaps when its verdict changed at least this often within the window.
inline constexpr std::size_t k_flap_changes = 2;
inline constexpr std::chrono::seconds k_default_max_age{24 * 3600};

struct BoardOptions {
    evidence::TimePoint now;
    // --max-age: one age for every row, over any scenario's.
    std::optional<std::chrono::seconds> max_age_override;
    // gate.max_evidence_age of the scenario each bundle recorded, keyed by bundle name (only the
    // bundles whose scenario file could be read). A row is judged by its proving bundle's.
    std::map<std::string, std::chrono::seconds> scenario_max_age;
    std::chrono::seconds default_max_age = k_default_max_age;
};

struct BoardRow {
    std::string host_key, host_name;
    scenario::Mode mode = scenario::Mode::self_service;
    std::string provider;

    // The newest finished cell of a trusted bundle. Without one the row is unproven: it was run,
    // but only by bundles that prove nothing, and every field below up to `age` is empty.
    bool proven = false;
    std::string cell;
    std::optional<classify::Cause> cause;
    std::optional<classify::Verdict> verdict;
    std::optional<classify::Cause> expected_cause;
    bool as_expected = false;  // a planted failure found exactly as planted
    std::string explanation;
    std::string bundle;     // the proving bundle's folder name
    std::string proven_at;  // its started_at, as recorded
    std::chrono::seconds age{0};

    std::string last_ready_at, last_ready_bundle;  // the newest trusted `ready`; "" when never
    std::chrono::seconds max_age{0};
    std::string max_age_source;  // "--max-age" | "scenario" | "default"

    // The proof is older than max_age: its verdict is not today's truth.
    bool stale = false;
    // A bundle newer than the proof ran this cell without proving anything (incomplete, untrusted,
    // or the cell did not finish); `superseded_note` names the newest such bundle and what it saw.
    bool superseded_by_failure = false;
    std::string superseded_note;
    // The verdict changed at least k_flap_changes times over the newest k_flap_window results.
    bool flapping = false;
    // The row was good (ready, or failed exactly as planted) only in trusted bundles older than
    // max_age: "it works" cannot be claimed from today's evidence, though old proof exists.
    bool only_old_proof = false;
    std::vector<std::string> recent_verdicts;  // newest first, at most k_flap_window

    // "stale", "superseded_by_failure", "flapping", "only_old_proof" in that order.
    [[nodiscard]] std::vector<std::string> flags() const;
};

// A bundle that proves nothing: incomplete, untrusted or unreadable.
struct UntrustedBundle {
    std::string name;
    Trust trust = Trust::unreadable;
    std::string reason;
    std::string started_at;
};

struct Board {
    evidence::TimePoint now;
    std::vector<BoardRow> rows;              // ordered by host key, mode, provider
    std::vector<UntrustedBundle> untrusted;  // oldest first
    std::size_t bundles = 0, trusted_bundles = 0;

    // The row whose proof is oldest relative to its max age (largest age - max_age); nullptr when
    // no row is proven.
    [[nodiscard]] const BoardRow* stalest() const;
    [[nodiscard]] std::size_t count_flag(std::string_view flag) const;
};

// `entries` in any order (they are ordered by started time, then name).
[[nodiscard]] Board build_board(const std::vector<BundleEntry>& entries, const BoardOptions& options);

}  // namespace crm::harness::catalog
