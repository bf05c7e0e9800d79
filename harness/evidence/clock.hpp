#pragma once
// The wall clock evidence is stamped with. Every bundle stamp, run start/end, cell start and every
// evidence age ("how old is this proof") reads `now()`, never the system clock directly, so one
// override moves them all together.
//
// CRM_ACCEPT_NOW=<ISO-8601 instant> (e.g. "2026-11-01T09:00:00+08:00" or "...Z") starts the
// clock at that instant; it then advances with real time, so durations stay true. It exists to
// backfill and test evidence histories honestly through the CLI (a bundle stamped "last week" is
// written by a real run, not by editing JSON). Bundles written under an override record it in
// 00-run.json (`clock_override`).
#include <optional>
#include <string>
#include <string_view>

#include "harness/evidence/timestamp.hpp"

namespace crm::harness::evidence {

inline constexpr const char* k_clock_env = "CRM_ACCEPT_NOW";

// The current instant, shifted by CRM_ACCEPT_NOW when it is set and valid.
[[nodiscard]] TimePoint now();

// The override as given, when one is in effect (for the run record); nullopt otherwise.
[[nodiscard]] std::optional<std::string> clock_override();

// One line naming the variable and the expected form when CRM_ACCEPT_NOW is set but is not an
// ISO-8601 instant with an offset; nullopt when unset or valid. main refuses to run (exit 64).
[[nodiscard]] std::optional<std::string> clock_override_error();

}  // namespace crm::harness::evidence
