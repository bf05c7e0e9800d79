#pragma once
// GitHub Actions workflow commands (`::error title=...::message`), which the runner turns into
// annotations on the run and the pull request. Escaping follows GitHub's runner: in the message
// '%', '\r' and '\n' become %25, %0D and %0A; a property value (title=) also escapes ':' and ','
// (%3A, %2C), which would otherwise end it. Text is passed in already scrubbed of secrets.
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/run_summary.hpp"

namespace crm::harness::ci {

[[nodiscard]] std::string escape_data(std::string_view text);
[[nodiscard]] std::string escape_property(std::string_view text);

// One annotation per cell that does not pass, in matrix order: `::error` for a cell that blocks
// the release (blocking failure, expectation mismatch, stale baseline, environment or harness
// error), `::warning` for one that only keeps the gate from passing (environment-blocked or
// inconclusive, not run, interrupted); then one for the gate when it failed. The title names the
// cell and its gate outcome; the message its cause and explanation. Each line ends in '\n'.
[[nodiscard]] std::vector<std::string> annotations(const evidence::RunSummary& summary);

}  // namespace crm::harness::ci
