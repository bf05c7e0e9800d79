#pragma once
// A thin, move-only SQLite handle (house style 9/21). database.cpp is the only file in the
// project that includes <sqlite3.h>; everything above it sees values, rows and Result<T>.
//
// Contract:
// - open() creates the file with mode 0600 *before* SQLite touches it (it holds probe
//   credentials), then enables WAL, foreign keys and a busy timeout so two processes on one file
//   wait for each other instead of failing with SQLITE_BUSY (the WAL switch itself, which SQLite
//   does not route through the busy handler, is retried for the same timeout);
// - every call returns an Error{io|conflict|internal} on failure whose message carries the SQL
//   verb and SQLite's text; a UNIQUE/PRIMARY KEY violation is ErrorCode::conflict;
// - a Database is used by one thread at a time (the store serialises access with a mutex).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.hpp"

namespace crm::engine::store {

// One SQL value: NULL, integer, real or text.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;

// Helpers so callers can write {sql_null(), id, "text"} without casts.
[[nodiscard]] inline SqlValue sql_null() { return std::monostate{}; }
[[nodiscard]] inline SqlValue sql_opt(const std::optional<std::int64_t>& v) { return v ? SqlValue{*v} : sql_null(); }

struct Row {
    std::vector<SqlValue> values;

    [[nodiscard]] bool is_null(std::size_t i) const;
    [[nodiscard]] std::int64_t i64(std::size_t i) const;  // 0 when NULL
    [[nodiscard]] std::optional<std::int64_t> opt_i64(std::size_t i) const;
    [[nodiscard]] std::string text(std::size_t i) const;  // "" when NULL
    [[nodiscard]] double real(std::size_t i) const;
};

struct OpenOptions {
    std::chrono::milliseconds busy_timeout{15000};
    unsigned file_mode = 0600;
};

class Database {
  public:
    [[nodiscard]] static util::Result<Database> open(const std::filesystem::path& path,
                                                     const OpenOptions& options = {});

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    // Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    [[nodiscard]] util::Result<void> exec(std::string_view sql);
    // Runs one statement; returns the number of rows changed.
    [[nodiscard]] util::Result<std::int64_t> execute(std::string_view sql, std::initializer_list<SqlValue> params = {});
    [[nodiscard]] util::Result<std::vector<Row>> query(std::string_view sql,
                                                       std::initializer_list<SqlValue> params = {});
    [[nodiscard]] std::int64_t last_insert_rowid() const;

    [[nodiscard]] util::Result<std::int64_t> user_version();
    [[nodiscard]] util::Result<void> set_user_version(std::int64_t version);

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

  private:
    struct Impl;
    explicit Database(std::unique_ptr<Impl> impl, std::filesystem::path path);
    std::unique_ptr<Impl> m_impl;
    std::filesystem::path m_path;
};

}  // namespace crm::engine::store
