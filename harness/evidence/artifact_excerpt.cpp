#include "harness/evidence/artifact_excerpt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "util/json.hpp"
#include "util/utf8.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;

namespace {

std::string kib(std::uintmax_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    return fmt::format("{:.0f} KiB", static_cast<double>(bytes) / 1024.0);
}

}  // namespace

std::string artifact_kind(const std::string& name) {
    if (name.ends_with(".json")) return "json";
    if (name.ends_with(".headers.txt")) return "headers";
    if (name.ends_with(".sse")) return "sse";
    if (name.ends_with(".md")) return "markdown";
    return "text";
}

ArtifactExcerpt read_excerpt(const fs::path& dir, const std::string& name, std::size_t cap) {
    ArtifactExcerpt e;
    e.name = name;
    e.kind = artifact_kind(name);
    const fs::path path = dir / name;
    std::error_code ec;
    // symlink_status: a FIFO or device in a bundle is never opened (opening a FIFO blocks).
    const auto st = fs::symlink_status(path, ec);
    if (ec || !fs::exists(st)) {
        e.note = "not written";
        return e;
    }
    e.present = true;
    if (!fs::is_regular_file(st)) {
        e.note = "not a regular file";
        return e;
    }
    e.size = fs::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(std::min<std::uintmax_t>(e.size, cap)), '\0');
    if (ec || !in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
        e.note = "cannot be read";
        return e;
    }
    e.truncated = e.size > cap;
    if (e.truncated) {
        e.note = fmt::format("first {} of {} shown", kib(cap), kib(e.size));
        e.text = util::repair_utf8(bytes);  // a cut inside a UTF-8 sequence becomes U+FFFD
        return e;
    }
    if (e.kind == "json") {
        if (auto doc = util::parse_json(bytes, name)) {
            e.text = util::pretty(*doc);
            return e;
        }
        e.note = "not valid JSON: shown as written";
    }
    e.text = util::repair_utf8(bytes);
    return e;
}

std::vector<ArtifactExcerpt> read_cell_excerpts(const fs::path& cell_dir, const std::vector<std::string>& expected,
                                                std::size_t cap) {
    std::vector<ArtifactExcerpt> out;
    std::set<std::string> names;
    std::error_code ec;
    if (fs::is_directory(cell_dir, ec)) {
        for (auto it = fs::directory_iterator(cell_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
            names.insert(it->path().filename().string());
        }
    }
    if (names.empty()) return out;
    for (const auto& n : expected) names.insert(n);
    for (const auto& n : names) out.push_back(read_excerpt(cell_dir, n, cap));
    return out;
}

}  // namespace crm::harness::evidence
