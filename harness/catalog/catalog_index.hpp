#pragma once
// The catalog's cache: <root>/.crm-index.sqlite, one row per bundle folder holding its
// fingerprint (bundle_entry.hpp) and the BundleEntry read under it. It is a cache and nothing
// more: the bundles are the source of truth, any doubt about the file (not a database, another
// schema version, a row that does not read back) means "read the bundle again".
//
// The file is SQLite through engine/store's Database (WAL, busy timeout: concurrent `list`s wait
// for each other instead of failing). PRAGMA user_version carries k_index_schema_version; an
// index of any other version is emptied and refilled, never trusted.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/store/database.hpp"
#include "harness/catalog/bundle_entry.hpp"
#include "util/error.hpp"

namespace crm::harness::catalog {

inline constexpr const char* k_index_file = ".crm-index.sqlite";
// Bump whenever a column, the cells JSON, or what read_entry derives changes meaning.
inline constexpr int k_index_schema_version = 1;

class CatalogIndex {
  public:
    struct Row {
        std::string fingerprint;
        BundleEntry entry;
    };

    // Opens (creating) <root>/.crm-index.sqlite. `reindex`, or a file of another schema
    // version, starts it empty (rebuilt() is true). A file SQLite cannot read is deleted and
    // created again, with one line appended to `warnings`. io: the file cannot be created or
    // opened even then (the message names it).
    [[nodiscard]] static util::Result<CatalogIndex> open(const std::filesystem::path& root, bool reindex,
                                                         std::vector<std::string>& warnings);

    [[nodiscard]] bool rebuilt() const { return m_rebuilt; }
    [[nodiscard]] const std::filesystem::path& path() const { return m_db.path(); }

    // Every row, by folder name. A row whose cells do not read back is left out (so its bundle
    // is read again and the row replaced).
    [[nodiscard]] util::Result<std::map<std::string, Row>> load();
    // In one transaction: upserts `changed` (by folder name) and deletes the rows named in `drop`.
    [[nodiscard]] util::Result<void> store(const std::vector<Row>& changed, const std::vector<std::string>& drop);

  private:
    CatalogIndex(engine::store::Database db, bool rebuilt) : m_db(std::move(db)), m_rebuilt(rebuilt) {}
    engine::store::Database m_db;
    bool m_rebuilt = false;
};

}  // namespace crm::harness::catalog
