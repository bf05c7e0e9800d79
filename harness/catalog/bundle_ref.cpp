#include "harness/catalog/bundle_ref.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

namespace crm::harness::catalog {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_listed_candidates = 5;

// Folder names directly under root that start with `prefix`, sorted (stamps sort by time).
std::vector<std::string> folders_starting_with(const fs::path& root, std::string_view prefix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_directory(type_ec)) continue;
        std::string name = it->path().filename().string();
        if (name.starts_with(prefix)) out.push_back(std::move(name));
    }
    std::ranges::sort(out);
    return out;
}

}  // namespace

util::Result<fs::path> resolve_bundle(const fs::path& root, std::string_view ref) {
    if (ref.empty()) return util::fail(util::ErrorCode::invalid_input, "empty bundle name (give a folder or a prefix)");
    const fs::path as_path{std::string(ref)};
    std::error_code ec;
    const auto status = fs::status(as_path, ec);
    if (fs::is_directory(status)) return as_path;
    if (fs::exists(status)) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("bundle '{}' is a file, not a bundle folder", ref));
    }
    // A name with a separator was meant as a path: matching it as a prefix would only confuse.
    const bool plain_name = ref.find('/') == std::string_view::npos;
    std::vector<std::string> matches = plain_name ? folders_starting_with(root, ref) : std::vector<std::string>{};
    // A full folder name wins over the longer names it is a prefix of ("..._default" vs "..._default_rc1").
    if (std::ranges::find(matches, ref) != matches.end()) return root / std::string(ref);
    if (matches.size() == 1) return root / matches.front();
    if (matches.empty()) {
        return util::fail(util::ErrorCode::not_found,
                          fmt::format("no bundle '{}': not a folder, and no bundle under {} starts with it", ref,
                                      root.string()));
    }
    const std::size_t more = matches.size() > k_listed_candidates ? matches.size() - k_listed_candidates : 0;
    matches.resize(std::min(matches.size(), k_listed_candidates));
    return util::fail(util::ErrorCode::invalid_input,
                      fmt::format("bundle '{}' is ambiguous under {}: {}{}", ref, root.string(), fmt::join(matches, ", "),
                                  more > 0 ? fmt::format(" (and {} more)", more) : std::string()));
}

}  // namespace crm::harness::catalog
