#pragma once
// How an operator names a bundle on the command line: a path to its folder (inside the evidence
// root or anywhere else), or a unique prefix of its folder name under the root ("20261101_09",
// "20261101_090000_default"). Every verb that takes a BUNDLE argument (show, diff, verify-like
// reads) resolves it here, so they all accept the same forms and fail the same way.
#include <filesystem>
#include <string_view>

#include "util/error.hpp"

namespace crm::harness::catalog {

// The folder `ref` names. A ref that is an existing directory is taken as a path; otherwise it
// is a prefix of a folder name directly under `root`.
// not_found: no such path and no folder under root starts with it (the message names both).
// invalid_input: the prefix matches several folders (the message lists up to five of them).
[[nodiscard]] util::Result<std::filesystem::path> resolve_bundle(const std::filesystem::path& root,
                                                                 std::string_view ref);

}  // namespace crm::harness::catalog
