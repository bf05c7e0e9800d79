#include "harness/evidence/manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "util/files.hpp"
#include "util/sha256.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;

util::Result<std::vector<std::string>> list_bundle_files(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, ec), end;
    if (ec) return util::fail(util::ErrorCode::io, fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
    for (; it != end; it.increment(ec)) {
        if (ec) return util::fail(util::ErrorCode::io, fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
        if (!it->is_regular_file(ec)) continue;
        std::string rel = fs::relative(it->path(), dir, ec).generic_string();
        if (rel == k_manifest_name) continue;
        out.push_back(std::move(rel));
    }
    std::sort(out.begin(), out.end());
    return out;
}

util::Result<std::vector<ManifestEntry>> compute_manifest(const fs::path& dir) {
    auto files = list_bundle_files(dir);
    if (!files) return std::unexpected(files.error());
    std::vector<ManifestEntry> out;
    for (const auto& rel : *files) {
        auto sha = util::sha256_file(dir / rel);
        if (!sha) return std::unexpected(sha.error());
        out.push_back({*sha, rel});
    }
    return out;
}

std::string format_manifest(const std::vector<ManifestEntry>& entries) {
    std::string out;
    for (const auto& e : entries) out += fmt::format("{}  {}\n", e.sha256, e.path);
    return out;
}

std::vector<ManifestEntry> parse_manifest(std::string_view text) {
    std::vector<ManifestEntry> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (line.empty()) continue;
        bool ok = line.size() > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*') &&
                  std::all_of(line.begin(), line.begin() + 64, [](char c) {
                      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                  });
        if (ok) out.push_back({std::string(line.substr(0, 64)), std::string(line.substr(66))});
        else out.push_back({"", std::string(line)});
    }
    return out;
}

util::Result<std::vector<ManifestMismatch>> check_manifest(const fs::path& dir) {
    auto text = util::read_file(dir / k_manifest_name);
    if (!text) return std::unexpected(text.error());
    auto listed = parse_manifest(*text);
    auto present = list_bundle_files(dir);
    if (!present) return std::unexpected(present.error());
    std::set<std::string> on_disk(present->begin(), present->end());
    std::vector<ManifestMismatch> out;
    std::set<std::string> seen;
    for (const auto& e : listed) {
        if (e.sha256.empty()) {
            out.push_back({e.path, "malformed"});
            continue;
        }
        seen.insert(e.path);
        if (!on_disk.contains(e.path)) {
            out.push_back({e.path, "missing"});
            continue;
        }
        auto sha = util::sha256_file(dir / e.path);
        if (!sha) return std::unexpected(sha.error());
        if (*sha != e.sha256) out.push_back({e.path, "modified"});
    }
    for (const auto& p : on_disk) {
        if (!seen.contains(p)) out.push_back({p, "extra"});
    }
    return out;
}

}  // namespace crm::harness::evidence
