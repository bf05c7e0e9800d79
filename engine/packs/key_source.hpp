#pragma once
// Reads a provider's upstream key from where its pack says (key_source.env / key_source.file).
// The key is never in the pack, never in a message: errors name the env var or the file only.
#include <filesystem>
#include <functional>
#include <string>

#include "engine/packs/pack.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::engine {

using FileReader = std::function<util::Result<std::string>(const std::filesystem::path&)>;

// The real filesystem (util::read_file).
[[nodiscard]] FileReader filesystem_reader();

// Returns the key, trimmed of surrounding whitespace (key files usually end in '\n').
// missing_secret when the env var is unset/empty or the file is missing/unreadable/empty:
//   "provider cn-core/deepseek: key_source.env DEEPSEEK_API_KEY is not set"
//   "provider cn-core/kimi: key_source.file /run/keys/kimi: <reason>"
// When `secrets` is given the key is registered there before it is returned.
[[nodiscard]] util::Result<std::string> resolve_key(const Provider& provider, const util::EnvLookup& env,
                                                    const FileReader& read = filesystem_reader(),
                                                    util::SecretRegistry* secrets = nullptr);

}  // namespace crm::engine
