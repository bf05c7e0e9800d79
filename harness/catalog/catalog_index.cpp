#include "harness/catalog/catalog_index.hpp"

#include <fmt/format.h>

#include "harness/catalog/entry_json.hpp"
#include "util/json.hpp"

namespace crm::harness::catalog {

namespace fs = std::filesystem;
using engine::store::Database;
using engine::store::SqlValue;

namespace {

// One row per bundle with the entry's fields as columns, so the index can be inspected with the
// sqlite3 shell and later verbs may filter in SQL. The cells are one JSON column: they are only
// ever read with their bundle and replaced whole with it, so a second table would add a join and
// a delete-then-insert per bundle without any query that looks inside them.
constexpr const char* k_create = R"(
CREATE TABLE bundles(
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  dir TEXT NOT NULL,
  stamp TEXT NOT NULL,
  scenario TEXT NOT NULL,
  scenario_sha256 TEXT NOT NULL,
  label TEXT NOT NULL,
  host_kind TEXT NOT NULL,
  host_url TEXT NOT NULL,
  host_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT NOT NULL,
  clock_override TEXT NOT NULL,
  status TEXT NOT NULL,
  interrupted INTEGER NOT NULL,
  trust TEXT NOT NULL,
  trust_reason TEXT NOT NULL,
  gate_decision TEXT NOT NULL,
  gate_passed INTEGER NOT NULL,
  exit_code INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  cells TEXT NOT NULL
);)";

constexpr const char* k_columns =
    "name, fingerprint, dir, stamp, scenario, scenario_sha256, label, host_kind, host_url, host_version, "
    "started_at, ended_at, clock_override, status, interrupted, trust, trust_reason, gate_decision, gate_passed, "
    "exit_code, size_bytes, manifest_sha256, cells";

engine::store::OpenOptions index_open_options() {
    engine::store::OpenOptions o;
    // The index holds what `list` prints (bundles are scrubbed on write), and every operator who
    // can read the root may list it.
    o.file_mode = 0644;
    return o;
}

void remove_index_files(const fs::path& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix, ec);
}

// Opens the file and reads its schema version; a file SQLite cannot read fails here.
util::Result<std::pair<Database, std::int64_t>> open_and_probe(const fs::path& path) {
    CRM_TRY(db, Database::open(path, index_open_options()));
    CRM_TRY(version, db.user_version());
    return std::pair<Database, std::int64_t>(std::move(db), version);
}

util::Result<void> recreate(Database& db) {
    CRM_TRY_VOID(db.exec("BEGIN IMMEDIATE"));
    auto r = db.exec(fmt::format("DROP TABLE IF EXISTS bundles; {} PRAGMA user_version={};", k_create,
                                 k_index_schema_version));
    if (!r) {
        (void)db.exec("ROLLBACK");
        return r;
    }
    return db.exec("COMMIT");
}

util::Error index_error(const fs::path& path, const util::Error& e) {
    return util::Error{util::ErrorCode::io, fmt::format("catalog index {}: {}", path.string(), e.message), {}, 0, {}};
}

}  // namespace

util::Result<CatalogIndex> CatalogIndex::open(const fs::path& root, bool reindex, std::vector<std::string>& warnings) {
    const fs::path path = root / k_index_file;
    auto opened = open_and_probe(path);
    if (!opened) {
        // Garbage bytes, a truncated file, a half-copied one: the index is only a cache, so it is
        // replaced rather than trusted or fatal.
        warnings.push_back(fmt::format("catalog index {} is not readable ({}); rebuilding it", path.string(),
                                       opened.error().message));
        remove_index_files(path);
        opened = open_and_probe(path);
        if (!opened) return std::unexpected(index_error(path, opened.error()));
    }
    auto& [db, version] = *opened;
    const bool rebuild = reindex || version != k_index_schema_version;
    if (rebuild) {
        if (auto r = recreate(db); !r) return std::unexpected(index_error(path, r.error()));
    }
    return CatalogIndex(std::move(db), rebuild);
}

util::Result<std::map<std::string, CatalogIndex::Row>> CatalogIndex::load() {
    auto rows = m_db.query(fmt::format("SELECT {} FROM bundles", k_columns));
    if (!rows) return std::unexpected(index_error(path(), rows.error()));
    std::map<std::string, Row> out;
    for (const auto& r : *rows) {
        Row row;
        row.fingerprint = r.text(1);
        auto& e = row.entry;
        e.name = r.text(0);
        e.dir = r.text(2);
        e.stamp = r.text(3);
        e.scenario = r.text(4);
        e.scenario_sha256 = r.text(5);
        e.label = r.text(6);
        e.host_kind = r.text(7);
        e.host_url = r.text(8);
        e.host_version = r.text(9);
        e.started_at = r.text(10);
        e.ended_at = r.text(11);
        e.started = evidence::parse_iso8601(e.started_at);
        e.clock_override = r.text(12);
        e.status = r.text(13);
        e.interrupted = r.i64(14) != 0;
        auto trust = parse_trust(r.text(15));
        if (!trust) continue;
        e.trust = *trust;
        e.trust_reason = r.text(16);
        e.gate_decision = r.text(17);
        e.gate_passed = r.i64(18) != 0;
        e.exit_code = static_cast<int>(r.i64(19));
        e.size_bytes = static_cast<std::uint64_t>(r.i64(20));
        e.manifest_sha256 = r.text(21);
        auto cells_json = util::parse_json(r.text(22), path().string());
        if (!cells_json) continue;
        auto cells = cells_from_json(*cells_json, path().string());
        if (!cells) continue;
        e.cells = std::move(*cells);
        out.emplace(e.name, std::move(row));
    }
    return out;
}

util::Result<void> CatalogIndex::store(const std::vector<Row>& changed, const std::vector<std::string>& drop) {
    if (changed.empty() && drop.empty()) return {};
    const std::string insert = fmt::format(
        "INSERT OR REPLACE INTO bundles({}) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", k_columns);
    auto write_all = [&]() -> util::Result<void> {
        for (const auto& row : changed) {
            const auto& e = row.entry;
            CRM_TRY_VOID(m_db.execute(
                insert,
                {e.name, row.fingerprint, e.dir.string(), e.stamp, e.scenario, e.scenario_sha256, e.label, e.host_kind,
                 e.host_url, e.host_version, e.started_at, e.ended_at, e.clock_override, e.status,
                 std::int64_t{e.interrupted ? 1 : 0}, std::string(to_string(e.trust)), e.trust_reason, e.gate_decision,
                 std::int64_t{e.gate_passed ? 1 : 0}, std::int64_t{e.exit_code}, static_cast<std::int64_t>(e.size_bytes),
                 e.manifest_sha256, util::json::serialize(cells_to_json(e.cells))}));
        }
        for (const auto& name : drop) CRM_TRY_VOID(m_db.execute("DELETE FROM bundles WHERE name = ?", {name}));
        return {};
    };
    if (auto r = m_db.exec("BEGIN IMMEDIATE"); !r) return std::unexpected(index_error(path(), r.error()));
    if (auto r = write_all(); !r) {
        (void)m_db.exec("ROLLBACK");
        return std::unexpected(index_error(path(), r.error()));
    }
    if (auto r = m_db.exec("COMMIT"); !r) return std::unexpected(index_error(path(), r.error()));
    return {};
}

}  // namespace crm::harness::catalog
