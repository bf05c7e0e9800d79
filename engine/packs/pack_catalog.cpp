#include "engine/packs/pack_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::engine {

using util::ErrorCode;
using util::fail;

util::Result<void> PackCatalog::add(Pack pack) {
    if (const auto* existing = find_pack(pack.id)) {
        return fail(ErrorCode::invalid_input, fmt::format("{}: id: pack id \"{}\" is already defined by {}",
                                                          pack.source, pack.id, existing->source));
    }
    m_packs.push_back(std::move(pack));
    return {};
}

const Pack* PackCatalog::find_pack(std::string_view pack_id) const {
    for (const auto& p : m_packs) {
        if (p.id == pack_id) return &p;
    }
    return nullptr;
}

std::vector<std::string> PackCatalog::qualified_names() const {
    std::vector<std::string> out;
    for (const auto& pack : m_packs) {
        for (const auto& p : pack.providers) out.push_back(p.qualified_name());
    }
    std::sort(out.begin(), out.end());
    return out;
}

util::Result<const Provider*> PackCatalog::find(std::string_view pack_id, std::string_view provider) const {
    if (const auto* pack = find_pack(pack_id)) {
        if (const auto* p = pack->find(provider)) return p;
    }
    auto known = qualified_names();
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return fail(ErrorCode::not_found,
                fmt::format("unknown provider {}/{}; known: {}", pack_id, provider, list.empty() ? "(none)" : list));
}

util::Result<const Provider*> PackCatalog::find(std::string_view qualified) const {
    auto slash = qualified.find('/');
    if (slash == std::string_view::npos) {
        return find(std::string_view{}, qualified);  // reports the known names
    }
    return find(qualified.substr(0, slash), qualified.substr(slash + 1));
}

util::Result<Pack> load_pack_file(const std::filesystem::path& path, const util::EnvLookup& env) {
    CRM_TRY(text, util::read_input_file(path));
    return parse_pack(text, path.generic_string(), env);
}

util::Result<PackCatalog> load_pack_dir(const std::filesystem::path& dir, const util::EnvLookup& env) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        // Every *.json entry is read as a pack: one that is a FIFO, a device or a directory is
        // refused by read_input_file in one line, never skipped into an "unknown pack" later.
        if (it->path().extension() == ".json") files.push_back(it->path());
    }
    if (ec) {
        return fail(ErrorCode::io,
                    fmt::format("{}: cannot list pack directory: {}", dir.generic_string(), ec.message()));
    }
    std::sort(files.begin(), files.end());
    PackCatalog catalog;
    for (const auto& f : files) {
        CRM_TRY(pack, load_pack_file(f, env));
        CRM_TRY_VOID(catalog.add(std::move(pack)));
    }
    return catalog;
}

}  // namespace crm::engine
