#pragma once
// The profile documents compiled into the library (generated from stubs/profiles/*.json).
#include <span>
#include <string_view>

namespace crm::stubs {

// Views into string literals compiled into the binary: they live as long as the program.
struct EmbeddedProfile {
    std::string_view name;  // file name without .json
    std::string_view text;  // the JSON document
};

[[nodiscard]] std::span<const EmbeddedProfile> embedded_profiles();

}  // namespace crm::stubs
