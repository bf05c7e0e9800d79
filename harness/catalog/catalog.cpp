#include "harness/catalog/catalog.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "harness/catalog/bundle_ref.hpp"
#include "harness/catalog/catalog_index.hpp"
#include "harness/evidence/manifest.hpp"

namespace crm::harness::catalog {

namespace fs = std::filesystem;

namespace {

// Reads (and verifies) every pending bundle, on as many threads as the machine has cores: a cold
// index over hundreds of bundles is bound by hashing and scanning files, and read_entry shares no
// mutable state. Results stay in folder order.
template <class Pending>
void read_all(std::vector<Pending>& pending) {
    const std::size_t workers =
        std::min<std::size_t>(pending.size(), std::max(1U, std::thread::hardware_concurrency()));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < pending.size(); i = next++) pending[i].entry = read_entry(pending[i].dir);
    };
    std::vector<std::jthread> threads;
    for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(work);
    work();
}

// Immediate subfolders that look like bundles: a run writes 00-run.json first and
// MANIFEST.sha256 last, so either one marks a bundle (a folder with only a manifest is listed as
// unreadable rather than hidden). Hidden names (the index's own files) and symlinks are skipped.
util::Result<std::vector<fs::path>> bundle_folders(const fs::path& root) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.empty() || name.front() == '.') continue;
        std::error_code sec;
        if (it->symlink_status(sec).type() != fs::file_type::directory) continue;
        if (fs::exists(it->path() / "00-run.json", sec) || fs::exists(it->path() / evidence::k_manifest_name, sec))
            out.push_back(it->path());
    }
    if (ec) {
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: cannot list the evidence root: {}", root.string(), ec.message()));
    }
    return out;
}

// A read-only root (a mounted archive, a CI artifact download) is listed without an index.
bool writable(const fs::path& root) { return ::access(root.c_str(), W_OK) == 0; }

}  // namespace

util::Result<Catalog> Catalog::open(const CatalogOptions& options) {
    std::error_code ec;
    if (!fs::exists(options.root, ec)) {
        return util::fail(util::ErrorCode::not_found, fmt::format("{}: no such evidence root", options.root.string()));
    }
    if (!fs::is_directory(options.root, ec)) {
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: the evidence root is not a directory", options.root.string()));
    }
    Catalog c;
    c.m_root = fs::absolute(options.root, ec).lexically_normal();
    if (!c.m_root.has_filename()) c.m_root = c.m_root.parent_path();
    CRM_TRY(folders, bundle_folders(c.m_root));
    c.m_stats.bundles = folders.size();

    std::optional<CatalogIndex> index;
    if (options.use_index) {
        if (!writable(c.m_root)) {
            c.m_stats.warnings.push_back(
                fmt::format("{}: the evidence root is read-only; listing without an index", c.m_root.string()));
        } else {
            auto opened = CatalogIndex::open(c.m_root, options.reindex, c.m_stats.warnings);
            if (opened) {
                c.m_stats.index_rebuilt = opened->rebuilt();
                index.emplace(std::move(*opened));
            } else {
                c.m_stats.warnings.push_back(fmt::format("{}; listing without an index", opened.error().message));
            }
        }
    }

    std::map<std::string, CatalogIndex::Row> rows;
    if (index) {
        auto loaded = index->load();
        if (loaded) {
            rows = std::move(*loaded);
        } else {
            c.m_stats.warnings.push_back(fmt::format("{}; reading every bundle", loaded.error().message));
        }
    }

    // Answer what the index can; collect the folders that must be read.
    struct Pending {
        std::filesystem::path dir;
        std::string fp;
        std::optional<util::Result<BundleEntry>> entry;
    };
    std::vector<Pending> pending;
    for (const auto& dir : folders) {
        const auto name = dir.filename().string();
        // The fingerprint is taken before the bundle is read: a bundle that changes in between is
        // stored under the older fingerprint and so read again next time, never the reverse.
        std::string fp = index ? fingerprint(dir) : std::string{};
        if (auto it = rows.find(name); it != rows.end()) {
            auto& row = it->second;
            if (row.fingerprint == fp && row.entry.dir == dir) {
                c.m_bundles.push_back(std::move(row.entry));
                ++c.m_stats.cached;
                rows.erase(it);
                continue;
            }
            rows.erase(it);
        }
        pending.push_back(Pending{dir, std::move(fp), std::nullopt});
    }
    read_all(pending);

    std::vector<CatalogIndex::Row> changed;
    std::vector<std::string> drop;  // rows to delete: vanished folders, bundles being written
    for (auto& p : pending) {
        if (!*p.entry) return std::unexpected(p.entry->error());
        auto& entry = **p.entry;
        ++c.m_stats.read;
        // A bundle a run is writing is never cached: its next open reads it again.
        if (index && !entry.writing) changed.push_back(CatalogIndex::Row{std::move(p.fp), entry});
        if (index && entry.writing) drop.push_back(p.dir.filename().string());
        c.m_bundles.push_back(std::move(entry));
    }

    if (index) {
        // What is left in `rows` is an index row whose folder is gone.
        c.m_stats.removed = rows.size();
        for (const auto& [name, row] : rows) drop.push_back(name);
        if (auto r = index->store(changed, drop); !r) {
            c.m_stats.warnings.push_back(fmt::format("{}; the index was not updated", r.error().message));
        }
    }

    std::sort(c.m_bundles.begin(), c.m_bundles.end(), [](const BundleEntry& a, const BundleEntry& b) {
        return a.stamp != b.stamp ? a.stamp < b.stamp : a.name < b.name;
    });
    return c;
}

util::Result<const BundleEntry*> Catalog::find(std::string_view path_or_prefix) const {
    CRM_TRY(dir, resolve_bundle(m_root, path_or_prefix));
    std::error_code ec;
    const auto wanted = fs::weakly_canonical(dir, ec);
    for (const auto& e : m_bundles) {
        std::error_code ec2;
        if (e.dir == dir || fs::weakly_canonical(e.dir, ec2) == wanted) return &e;
    }
    // A bundle outside the root (or one created since open): read on demand and kept, so the
    // pointer stays valid as long as the catalog.
    CRM_TRY(entry, read_entry(dir));
    m_outside.push_back(std::move(entry));
    return &m_outside.back();
}

}  // namespace crm::harness::catalog
