#pragma once
// Filesystem helpers. Every artifact crm-accept persists goes through write_atomic: the bytes
// land in "<path>.tmp.<pid>.<n>", are fsync'ed, then renamed over <path>, so a reader (or a
// crash) never sees half a file.
#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::util {

[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path);

// Creates parent directories as needed. `mode` is applied to the temp file before the rename
// (0600 for files that hold credentials).
[[nodiscard]] Result<void> write_atomic(const std::filesystem::path& path, std::string_view bytes,
                                        unsigned mode = 0644);

// Keeps [A-Za-z0-9._-] and maps every other byte to '-', so the result is one safe path
// component ("", "." and ".." become "_").
[[nodiscard]] std::string sanitize_name(std::string_view s);

}  // namespace crm::util
