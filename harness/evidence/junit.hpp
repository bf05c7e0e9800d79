#pragma once
// junit.xml, the CI projection of a run: one <testcase> per cell (classname
// "crm-accept.<scenario>.<mode>", name = provider).
//   pass                         -> passed (shared_host_residue adds <system-out> with the note)
//   gate_outcome expected_failure-> <skipped message="known failure (baseline): <cause>">
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
