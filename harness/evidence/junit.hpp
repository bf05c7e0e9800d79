#pragma once
// junit.xml, the CI projection of a run: one <testcase> per cell (classname
// "crm-accept.<scenario>.<mode>", name = provider).
// The gate's outcome (harness/gate/gate.hpp) first:
//   expectation_met (non-pass)   -> passed, <system-out>expected cause met: ...</system-out>
//   known_failure / expected_failure (non-pass) -> <skipped message="known failure (baseline): <cause>">
//   expectation_mismatch         -> <failure message="expected <e>, got <cause>" type="expectation_mismatch">
//   stale_baseline               -> <failure message="stale baseline: listed failure now <cause>">
// then the verdict:
//   pass                         -> passed (shared_host_residue adds <system-out> with the note)
//   fail                         -> <failure message="<cause>" type="fail">explanation</failure>
//   error                        -> <error message="<cause>" type="error">explanation</error>
//   blocked / inconclusive       -> <skipped message="<cause>: explanation">: not tested, not green
#include <string>
#include <string_view>

#include "harness/evidence/run_summary.hpp"

namespace crm::harness::evidence {

// Escapes & < > " ' and replaces characters XML 1.0 forbids (C0 controls other than tab, LF,
// CR) with U+FFFD.
[[nodiscard]] std::string xml_escape(std::string_view text);

[[nodiscard]] std::string junit_xml(const RunSummary& s);

}  // namespace crm::harness::evidence
