#pragma once
// The bundles gate baselines name (BaselineEntry::bundle: the bundle that first recorded a known
// failure). prune never deletes them: a baseline entry must keep pointing at its evidence.
#include <filesystem>
#include <map>
#include <string>

#include "util/error.hpp"

namespace crm::harness::catalog {

// Adds `bundle folder name -> baseline file` for every entry of the baseline at `path` that names
// a bundle. A bundle is matched by its folder name (the last component of the recorded path, so
// "artifacts/real-host-acceptance/20261101_090000_default/" names "20261101_090000_default").
// Fails as gate::load_baseline does (invalid_input naming the file and entry).
[[nodiscard]] util::Result<void> add_baseline_refs(const std::filesystem::path& path,
                                                   std::map<std::string, std::string>& refs);

}  // namespace crm::harness::catalog
