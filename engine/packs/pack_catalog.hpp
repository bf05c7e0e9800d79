#pragma once
// Every pack the engine knows, loaded from a directory of *.json files (sorted by file name, so
// load order and messages are deterministic). Providers are addressed by pack id + name; the
// same provider name in two packs is two different providers.
//
// Failure: the first invalid pack fails the whole load (invalid_input, one line naming file,
// JSON path and reason); two files declaring the same pack id are invalid_input naming both;
// a missing directory is io.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/packs/key_source.hpp"
#include "engine/packs/pack.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"

namespace crm::engine {

class PackCatalog {
  public:
    PackCatalog() = default;

    // Adds a parsed pack; conflict-free ids only.
    [[nodiscard]] util::Result<void> add(Pack pack);

    // not_found "unknown provider <pack>/<name>; known: a/x, b/y" when absent.
    [[nodiscard]] util::Result<const Provider*> find(std::string_view pack_id, std::string_view provider) const;
    // Accepts "<pack>/<name>".
    [[nodiscard]] util::Result<const Provider*> find(std::string_view qualified) const;
    [[nodiscard]] const Pack* find_pack(std::string_view pack_id) const;

    [[nodiscard]] const std::vector<Pack>& packs() const { return m_packs; }
    [[nodiscard]] std::vector<std::string> qualified_names() const;  // "pack/name", sorted

  private:
    std::vector<Pack> m_packs;
};

// Loads and validates one pack file; messages name it by its path as given.
[[nodiscard]] util::Result<Pack> load_pack_file(const std::filesystem::path& path, const util::EnvLookup& env);

// Loads every *.json in `dir` (non-recursive).
[[nodiscard]] util::Result<PackCatalog> load_pack_dir(const std::filesystem::path& dir, const util::EnvLookup& env);

}  // namespace crm::engine
