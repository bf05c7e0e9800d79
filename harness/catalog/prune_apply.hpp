#pragma once
// Deleting a bundle folder, and nothing else. prune --apply calls this once per removal of its
// plan; every check is made again at deletion time, on the path as it is then.
#include <filesystem>

#include "util/error.hpp"

namespace crm::harness::catalog {

// Removes `dir` and everything in it. Refuses, with invalid_input naming the path, when:
//   - `dir` is a symlink, or not a directory;
//   - resolved, it is not a folder directly under the resolved `root` (so never the root itself,
//     never outside it, never reached through a symlinked folder);
//   - it holds no 00-run.json regular file (not a bundle).
// io when the removal itself fails part way (the message names the path and the system's reason).
[[nodiscard]] util::Result<void> remove_bundle(const std::filesystem::path& root, const std::filesystem::path& dir);

}  // namespace crm::harness::catalog
