#pragma once
// SHA-256 as lowercase hex (scenario fingerprints in 00-cell.json, MANIFEST.sha256).
#include <filesystem>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::util {

[[nodiscard]] std::string sha256_hex(std::string_view bytes);
[[nodiscard]] Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace crm::util
