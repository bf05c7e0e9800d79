#include "harness/evidence/manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "util/files.hpp"
#include "util/input_file.hpp"
#include "util/sha256.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;

namespace {

// What a non-regular, non-directory entry is, for one line of a report.
std::string special_kind(fs::file_type t) {
    switch (t) {
        case fs::file_type::fifo:
            return "FIFO (not a regular file)";
        case fs::file_type::socket:
            return "socket (not a regular file)";
        case fs::file_type::block:
        case fs::file_type::character:
            return "device (not a regular file)";
        default:
            return "not a regular file";
    }
}

}  // namespace

util::Result<BundleTree> scan_bundle_tree(const fs::path& dir) {
    BundleTree tree;
    std::error_code ec;
    auto cannot_list = [&] {
        return util::fail(util::ErrorCode::io, fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
    };
    // Never follows a symlink: a link to a directory outside the bundle must be reported, not
    // walked (its files would be hashed and audited as if they were evidence).
    fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
    if (ec) return cannot_list();
    for (; it != end; it.increment(ec)) {
        if (ec) return cannot_list();
        // Lexically: fs::relative would resolve the very symlinks this scan must report.
        std::string rel = it->path().lexically_relative(dir).generic_string();
        auto st = it->symlink_status(ec);
        if (ec) return cannot_list();
        switch (st.type()) {
            case fs::file_type::regular:
                if (rel != k_manifest_name) tree.files.push_back(std::move(rel));
                break;
            case fs::file_type::directory:
                if (fs::is_empty(it->path(), ec)) tree.anomalies.push_back(rel + ": empty directory");
                break;
            case fs::file_type::symlink: {
                auto target = fs::read_symlink(it->path(), ec);
                bool to_dir = fs::is_directory(it->path(), ec);
                tree.anomalies.push_back(fmt::format("{}: symlink to {}{} (a bundle holds regular files only)", rel,
                                                     to_dir ? "directory " : "", target.string()));
                break;
            }
            default:
                tree.anomalies.push_back(fmt::format("{}: {}", rel, special_kind(st.type())));
        }
    }
    std::sort(tree.files.begin(), tree.files.end());
    std::sort(tree.anomalies.begin(), tree.anomalies.end());
    return tree;
}

util::Result<std::vector<std::string>> list_bundle_files(const fs::path& dir) {
    CRM_TRY(tree, scan_bundle_tree(dir));
    return std::move(tree.files);
}

util::Result<std::vector<ManifestEntry>> compute_manifest(const fs::path& dir) {
    CRM_TRY(files, list_bundle_files(dir));
    std::vector<ManifestEntry> out;
    for (const auto& rel : files) {
        CRM_TRY(sha, util::sha256_file(dir / rel));
        out.push_back({sha, rel});
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
                  std::all_of(line.begin(), line.begin() + 64,
                              [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
        if (ok)
            out.push_back({std::string(line.substr(0, 64)), std::string(line.substr(66))});
        else
            out.push_back({"", std::string(line)});
    }
    return out;
}

util::Result<std::vector<ManifestMismatch>> check_manifest(const fs::path& dir) {
    CRM_TRY(text, util::read_input_file(dir / k_manifest_name, util::k_max_bundle_record_bytes));
    auto listed = parse_manifest(text);
    CRM_TRY(present, list_bundle_files(dir));
    std::set<std::string> on_disk(present.begin(), present.end());
    std::vector<ManifestMismatch> out;
    std::set<std::string> seen;
    for (const auto& e : listed) {
        if (e.sha256.empty()) {
            out.push_back({e.path, "malformed"});
            continue;
        }
        if (!seen.insert(e.path).second) {
            // A second line for one path: sha256sum -c checks it twice and says nothing.
            out.push_back({e.path, "duplicate"});
            continue;
        }
        if (!on_disk.contains(e.path)) {
            out.push_back({e.path, "missing"});
            continue;
        }
        CRM_TRY(sha, util::sha256_file(dir / e.path));
        if (sha != e.sha256) out.push_back({e.path, "modified"});
    }
    for (const auto& p : on_disk) {
        if (!seen.contains(p)) out.push_back({p, "extra"});
    }
    return out;
}

}  // namespace crm::harness::evidence
