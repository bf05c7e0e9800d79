#include "harness/catalog/prune_apply.hpp"

#include <fmt/format.h>

namespace crm::harness::catalog {

namespace fs = std::filesystem;

util::Result<void> remove_bundle(const fs::path& root, const fs::path& dir) {
    auto refuse = [&](std::string_view why) {
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: refusing to delete: {}", dir.string(), why));
    };
    std::error_code ec;
    const auto st = fs::symlink_status(dir, ec);
    if (ec) return refuse(ec.message());
    if (fs::is_symlink(st)) return refuse("a symlink");
    if (!fs::is_directory(st)) return refuse("not a directory");
    const fs::path real_root = fs::canonical(root, ec);
    if (ec) return refuse(fmt::format("the evidence root {} cannot be resolved ({})", root.string(), ec.message()));
    const fs::path real_dir = fs::canonical(dir, ec);
    if (ec) return refuse(ec.message());
    if (real_dir.parent_path() != real_root)
        return refuse(fmt::format("not a folder directly under the evidence root {}", real_root.string()));
    if (!fs::is_regular_file(fs::symlink_status(real_dir / "00-run.json", ec)))
        return refuse("not a bundle (no 00-run.json)");
    fs::remove_all(real_dir, ec);
    if (ec)
        return util::fail(util::ErrorCode::io, fmt::format("{}: delete failed: {}", real_dir.string(), ec.message()));
    return {};
}

}  // namespace crm::harness::catalog
