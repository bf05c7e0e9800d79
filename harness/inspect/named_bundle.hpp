#pragma once
// A bundle named on the command line (catalog::resolve_bundle: a folder, or a unique prefix of a
// folder name under the evidence root), opened through the typed reader (evidence::Bundle::open),
// plus its run summary when the run finished. The read-only verbs (show, diff) start here, so
// they accept the same names and fail with the same one line.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/run_summary.hpp"
#include "util/error.hpp"

namespace crm::harness::inspect {

// The bundle `ref` names under `root`. Errors keep resolve_bundle's codes (not_found,
// invalid_input) or Bundle::open's; the message names the ref, the root and the folder tried.
[[nodiscard]] util::Result<evidence::Bundle> open_named_bundle(const std::filesystem::path& root, std::string_view ref);

// summary.json of a finished run (its gate decision and exit code), read through the typed
// reader. nullopt when the run wrote none (it did not finish); an error when it does not parse.
[[nodiscard]] util::Result<std::optional<evidence::RunSummary>> read_run_summary(const std::filesystem::path& dir);

}  // namespace crm::harness::inspect
