#pragma once
// ${VAR} and ${VAR:-default} expansion for scenarios and packs. The environment is passed in as
// a lookup function: nothing below the CLI calls getenv (house style 7).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::util {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Expands every ${...} in `text`. A ${VAR} whose variable is unset (and has no default) is an
// invalid_input error naming the variable and `where` (e.g. "scenarios/real-host.json:12: host.url").
[[nodiscard]] Result<std::string> expand_env(std::string_view text, const EnvLookup& env, std::string_view where);

// The real process environment; only main/CLI code should construct this.
[[nodiscard]] EnvLookup process_env();

}  // namespace crm::util
