#pragma once
// MANIFEST.sha256: one line per file of the bundle except the manifest itself,
// "<64 hex>  <relative/path>\n", sorted by path (byte order), so `sha256sum -c MANIFEST.sha256`
// run inside the bundle checks it.
#include <filesystem>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace crm::harness::evidence {

inline constexpr const char* k_manifest_name = "MANIFEST.sha256";

struct ManifestEntry {
    std::string sha256;
    std::string path;  // relative, '/' separated
    friend bool operator==(const ManifestEntry&, const ManifestEntry&) = default;
};

struct ManifestMismatch {
    std::string path;
    std::string kind;  // modified | missing | extra | malformed | duplicate
    friend bool operator==(const ManifestMismatch&, const ManifestMismatch&) = default;
};

// What a bundle may hold is regular files in directories that hold something. Anything else is
// reported, never followed: a symlink (to a file or a directory, inside or outside the bundle),
// an empty directory, a FIFO, a socket or a device.
struct BundleTree {
    std::vector<std::string> files;      // regular files except the manifest, sorted relative paths
    std::vector<std::string> anomalies;  // "<relative path>: <what it is>", one line each, sorted
};
[[nodiscard]] util::Result<BundleTree> scan_bundle_tree(const std::filesystem::path& dir);

// scan_bundle_tree(dir).files.
[[nodiscard]] util::Result<std::vector<std::string>> list_bundle_files(const std::filesystem::path& dir);

[[nodiscard]] util::Result<std::vector<ManifestEntry>> compute_manifest(const std::filesystem::path& dir);
[[nodiscard]] std::string format_manifest(const std::vector<ManifestEntry>& entries);
// Malformed lines come back as entries with an empty sha256 and the raw line as path.
[[nodiscard]] std::vector<ManifestEntry> parse_manifest(std::string_view text);

// Compares `dir` with its MANIFEST.sha256 (which must exist): modified, missing, extra files,
// malformed lines and paths listed more than once (duplicate).
[[nodiscard]] util::Result<std::vector<ManifestMismatch>> check_manifest(const std::filesystem::path& dir);

}  // namespace crm::harness::evidence
