#include "engine/packs/key_source.hpp"

#include <fmt/format.h>

#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::engine {

using util::ErrorCode;
using util::fail;

namespace {

std::string trim(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

FileReader filesystem_reader() {
    return [](const std::filesystem::path& p) { return util::read_input_file(p, util::k_max_key_file_bytes); };
}

util::Result<std::string> resolve_key(const Provider& provider, const util::EnvLookup& env, const FileReader& read,
                                      util::SecretRegistry* secrets) {
    std::string key;
    if (!provider.key_env.empty()) {
        auto value = env ? env(provider.key_env) : std::nullopt;
        key = value ? trim(*value) : std::string();
        if (key.empty()) {
            return fail(ErrorCode::missing_secret, fmt::format("provider {}: key_source.env {} is not set",
                                                               provider.qualified_name(), provider.key_env));
        }
    } else if (!provider.key_file.empty()) {
        auto text = read ? read(provider.key_file)
                         : util::Result<std::string>(
                               std::unexpected(util::Error{ErrorCode::internal, "no file reader", {}, 0, {}}));
        if (!text) {
            // The reader's message names the path already; keep only it, never file content.
            return fail(ErrorCode::missing_secret,
                        fmt::format("provider {}: key_source.file {}: cannot read ({})", provider.qualified_name(),
                                    provider.key_file, util::to_string(text.error().code)));
        }
        key = trim(*text);
        if (key.empty()) {
            return fail(ErrorCode::missing_secret, fmt::format("provider {}: key_source.file {} is empty",
                                                               provider.qualified_name(), provider.key_file));
        }
    } else {
        return fail(ErrorCode::missing_secret, fmt::format("provider {}: no key_source", provider.qualified_name()));
    }
    if (secrets) secrets->add(key);
    return key;
}

}  // namespace crm::engine
