// Stand-in for resolve_bundle until bundle_ref.cpp lands; delete this file then.
#include <fmt/format.h>

#include <vector>

#include "harness/catalog/bundle_ref.hpp"

namespace crm::harness::catalog {

util::Result<std::filesystem::path> resolve_bundle(const std::filesystem::path& root, std::string_view ref) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!ref.empty() && fs::is_directory(fs::path(ref), ec)) return fs::path(ref);
    std::vector<fs::path> matches;
    for (fs::directory_iterator it(root, ec), end; !ref.empty() && !ec && it != end; it.increment(ec)) {
        if (it->path().filename().string().starts_with(ref)) matches.push_back(it->path());
    }
    if (matches.empty())
        return util::fail(util::ErrorCode::not_found,
                          fmt::format("{}: no such bundle (no folder under {} starts with it)", ref, root.string()));
    if (matches.size() > 1)
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: names several bundles", ref));
    return matches.front();
}

}  // namespace crm::harness::catalog
