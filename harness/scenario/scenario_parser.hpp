#pragma once
// Scenario files: relaxed JSON (comments, trailing commas) -> Scenario. Every failure is one
// invalid_input Error whose message is exactly `file:line: field: reason`, produced before any
// network call (the CLI maps it to exit 3).
//
// Two stages:
//  1. parse_scenario / load_scenario: syntax, unknown keys, types, enums, cause names, ${VAR}
//     expansion of real-host fields (missing variable => error naming the field).
//  2. check_references: names that only the catalogs know (providers in the pack dir, stub
//     fault profiles), given as predicates so this stays free of engine/stub types.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "harness/scenario/scenario.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"

namespace crm::harness::scenario {

// `source` is how the file is named in messages; relative paths inside the scenario (packs_dir,
// gate.baseline) are resolved against `base_dir`.
[[nodiscard]] util::Result<Scenario> parse_scenario(std::string_view text, std::string_view source,
                                                    const std::filesystem::path& base_dir, const util::EnvLookup& env);

// Reads the file, records its sha256, then parse_scenario.
[[nodiscard]] util::Result<Scenario> load_scenario(const std::filesystem::path& path, const util::EnvLookup& env);

struct ReferenceCheck {
    // True when pack `pack` has provider `provider`. Also receives the pack id alone with an
    // empty provider to ask "does the pack exist".
    std::function<bool(std::string_view pack, std::string_view provider)> has_provider;
    std::function<bool(std::string_view profile)> has_profile;  // empty => not checked
};

[[nodiscard]] util::Result<void> check_references(const Scenario& scenario, const ReferenceCheck& check);

}  // namespace crm::harness::scenario
