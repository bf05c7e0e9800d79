// The only translation unit that speaks the SQLite C API. Statements are cached per SQL text
// (the store issues a small, fixed set of statements) and finalized with the connection.
#include "engine/store/database.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <unordered_map>

namespace crm::engine::store {

using util::ErrorCode;
using util::fail;
using util::Result;

bool Row::is_null(std::size_t i) const {
    return i >= values.size() || std::holds_alternative<std::monostate>(values[i]);
}

std::int64_t Row::i64(std::size_t i) const {
    if (i >= values.size()) return 0;
    if (auto* p = std::get_if<std::int64_t>(&values[i])) return *p;
    if (auto* d = std::get_if<double>(&values[i])) return static_cast<std::int64_t>(*d);
    return 0;
}

std::optional<std::int64_t> Row::opt_i64(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return i64(i);
}

std::string Row::text(std::size_t i) const {
    if (i >= values.size()) return {};
    if (auto* p = std::get_if<std::string>(&values[i])) return *p;
    if (auto* n = std::get_if<std::int64_t>(&values[i])) return std::to_string(*n);
    return {};
}

double Row::real(std::size_t i) const {
    if (i >= values.size()) return 0;
    if (auto* d = std::get_if<double>(&values[i])) return *d;
    if (auto* n = std::get_if<std::int64_t>(&values[i])) return static_cast<double>(*n);
    return 0;
}

struct Database::Impl {
    sqlite3* db = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache;

    ~Impl() {
        for (auto& [sql, stmt] : cache) sqlite3_finalize(stmt);
        if (db) sqlite3_close_v2(db);
    }

    util::Error error(std::string_view sql, int rc) const {
        ErrorCode code = ErrorCode::io;
        int ext = db ? sqlite3_extended_errcode(db) : rc;
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
            code = ErrorCode::conflict;
        } else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
            code = ErrorCode::invalid_input;
        }
        std::string verb(sql.substr(0, std::min<std::size_t>(sql.size(), 40)));
        for (char& c : verb) {
            if (c == '\n') c = ' ';
        }
        return util::Error{
            code, fmt::format("state store: {}: {}", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), verb), {}, 0, {}};
    }

    Result<sqlite3_stmt*> prepare(std::string_view sql) {
        std::string key(sql);
        if (auto it = cache.find(key); it != cache.end()) {
            sqlite3_reset(it->second);
            sqlite3_clear_bindings(it->second);
            return it->second;
        }
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v2(db, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr);
        if (rc != SQLITE_OK) return std::unexpected(error(sql, rc));
        cache.emplace(std::move(key), stmt);
        return stmt;
    }

    Result<void> bind(sqlite3_stmt* stmt, std::string_view sql, std::initializer_list<SqlValue> params) {
        int idx = 1;
        for (const auto& p : params) {
            int rc = SQLITE_OK;
            if (std::holds_alternative<std::monostate>(p)) {
                rc = sqlite3_bind_null(stmt, idx);
            } else if (auto* n = std::get_if<std::int64_t>(&p)) {
                rc = sqlite3_bind_int64(stmt, idx, *n);
            } else if (auto* d = std::get_if<double>(&p)) {
                rc = sqlite3_bind_double(stmt, idx, *d);
            } else {
                const auto& s = std::get<std::string>(p);
                rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
            }
            if (rc != SQLITE_OK) return std::unexpected(error(sql, rc));
            ++idx;
        }
        return {};
    }
};

Database::Database(std::unique_ptr<Impl> impl, std::filesystem::path path)
    : m_impl(std::move(impl)), m_path(std::move(path)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

namespace {

// Switching a file to WAL takes an exclusive lock. When two processes open a fresh file at the
// same moment, SQLite answers the loser with SQLITE_BUSY at once instead of calling the busy
// handler (waiting could deadlock two shared-lock holders), so the switch is retried here, with
// jitter, until the same busy timeout the rest of the store uses.
Result<void> enable_wal(sqlite3* db, const std::filesystem::path& path, std::chrono::milliseconds budget) {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    std::minstd_rand jitter(static_cast<unsigned>(::getpid()));
    for (;;) {
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
        std::string mode;
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(stmt);
            if (rc == SQLITE_ROW) {
                const auto* text = sqlite3_column_text(stmt, 0);
                mode = text ? reinterpret_cast<const char*>(text) : "";
            }
        }
        sqlite3_finalize(stmt);
        if (rc == SQLITE_ROW) {
            if (mode == "wal") return {};
            return fail(ErrorCode::io,
                        fmt::format("state store: {} cannot use WAL journal mode (got '{}')", path.string(), mode));
        }
        const int primary = rc & 0xff;
        if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorCode::io,
                        fmt::format("state store: {}: PRAGMA journal_mode=WAL: {}", path.string(), sqlite3_errmsg(db)));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + jitter() % 18));
    }
}

}  // namespace

Result<Database> Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    // Create the file ourselves so it never exists with a wider mode, even for a moment.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, static_cast<mode_t>(options.file_mode));
    if (fd < 0) {
        return fail(ErrorCode::io, fmt::format("state store: cannot open {}: {}", path.string(), std::strerror(errno)));
    }
    ::fchmod(fd, static_cast<mode_t>(options.file_mode));
    ::close(fd);

    auto impl = std::make_unique<Impl>();
    int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        return fail(ErrorCode::io, fmt::format("state store: cannot open {}: {}", path.string(),
                                               impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(impl->db, static_cast<int>(options.busy_timeout.count()));
    sqlite3_extended_result_codes(impl->db, 1);
    Database db(std::move(impl), path);
    // WAL lets a reader proceed while another process writes; NORMAL sync is durable across
    // process crashes (the threat model here), which is what recover relies on.
    if (auto r = enable_wal(db.m_impl->db, path, options.busy_timeout); !r) {
        return std::unexpected(r.error());
    }
    if (auto r = db.exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"); !r) {
        return std::unexpected(r.error());
    }
    // The -wal and -shm side files hold the same secrets; keep them private too.
    for (const char* suffix : {"-wal", "-shm"}) {
        ::chmod((path.string() + suffix).c_str(), static_cast<mode_t>(options.file_mode));
    }
    return db;
}

Result<void> Database::exec(std::string_view sql) {
    std::string text(sql);
    char* msg = nullptr;
    int rc = sqlite3_exec(m_impl->db, text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        auto err = m_impl->error(sql, rc);
        if (msg) sqlite3_free(msg);
        return std::unexpected(std::move(err));
    }
    return {};
}

Result<std::int64_t> Database::execute(std::string_view sql, std::initializer_list<SqlValue> params) {
    CRM_TRY(stmt, m_impl->prepare(sql));
    CRM_TRY_VOID(m_impl->bind(stmt, sql, params));
    int rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        auto err = m_impl->error(sql, rc);
        sqlite3_reset(stmt);
        return std::unexpected(std::move(err));
    }
    sqlite3_reset(stmt);
    return static_cast<std::int64_t>(sqlite3_changes(m_impl->db));
}

Result<std::vector<Row>> Database::query(std::string_view sql, std::initializer_list<SqlValue> params) {
    CRM_TRY(stmt, m_impl->prepare(sql));
    CRM_TRY_VOID(m_impl->bind(stmt, sql, params));
    std::vector<Row> rows;
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        Row row;
        int n = sqlite3_column_count(stmt);
        row.values.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            switch (sqlite3_column_type(stmt, i)) {
                case SQLITE_INTEGER:
                    row.values.emplace_back(sqlite3_column_int64(stmt, i));
                    break;
                case SQLITE_FLOAT:
                    row.values.emplace_back(sqlite3_column_double(stmt, i));
                    break;
                case SQLITE_NULL:
                    row.values.emplace_back(std::monostate{});
                    break;
                default: {
                    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                    int len = sqlite3_column_bytes(stmt, i);
                    row.values.emplace_back(std::string(p ? p : "", static_cast<std::size_t>(len)));
                }
            }
        }
        rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) {
        auto err = m_impl->error(sql, rc);
        sqlite3_reset(stmt);
        return std::unexpected(std::move(err));
    }
    sqlite3_reset(stmt);
    return rows;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_impl->db); }

Result<std::int64_t> Database::user_version() {
    CRM_TRY(rows, query("PRAGMA user_version"));
    return rows.empty() ? 0 : rows[0].i64(0);
}

Result<void> Database::set_user_version(std::int64_t version) {
    return exec(fmt::format("PRAGMA user_version={}", version));
}

}  // namespace crm::engine::store
