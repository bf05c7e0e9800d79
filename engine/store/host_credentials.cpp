#include "engine/store/host_credentials.hpp"

#include <fmt/format.h>

#include <array>

#include "engine/store/stored_value.hpp"

namespace crm::engine {

using store::Database;
using store::Row;
using util::Result;

namespace {

constexpr std::array<std::string_view, 3> k_auth{"key", "key_env", "login"};

constexpr std::string_view k_cols =
    "host_id, admin_auth, admin_key, admin_key_env, admin_email, admin_password_env, accept_compliance, updated_at";

Result<HostCredentialsRecord> from_row(const Row& r) {
    CRM_TRY(auth, store::parse_stored(parse_admin_auth, r.text(1), "host_credentials.admin_auth", r.i64(0)));
    return HostCredentialsRecord{r.i64(0), auth, r.text(2), r.text(3), r.text(4), r.text(5), r.i64(6) != 0, r.text(7)};
}

}  // namespace

std::string_view to_string(AdminAuth a) noexcept { return k_auth[static_cast<std::size_t>(a)]; }

std::optional<AdminAuth> parse_admin_auth(std::string_view s) noexcept {
    for (std::size_t i = 0; i < k_auth.size(); ++i) {
        if (k_auth[i] == s) return static_cast<AdminAuth>(i);
    }
    return std::nullopt;
}

Result<void> HostCredentials::put(const HostCredentialsRecord& c) {
    return m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(db.execute(
            "INSERT INTO host_credentials(host_id, admin_auth, admin_key, admin_key_env, admin_email, "
            "admin_password_env, accept_compliance, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(host_id) DO UPDATE SET admin_auth = excluded.admin_auth, admin_key = excluded.admin_key, "
            "admin_key_env = excluded.admin_key_env, admin_email = excluded.admin_email, "
            "admin_password_env = excluded.admin_password_env, accept_compliance = excluded.accept_compliance, "
            "updated_at = excluded.updated_at",
            {c.host_id, std::string(to_string(c.admin_auth)), c.admin_key, c.admin_key_env, c.admin_email,
             c.admin_password_env, std::int64_t{c.accept_compliance}, utc_now()}));
        return {};
    });
}

Result<std::optional<HostCredentialsRecord>> HostCredentials::get(std::int64_t host_id) {
    std::optional<HostCredentialsRecord> out;
    // A read inside transaction() keeps to the store's one-connection-one-mutex rule.
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(rows, db.query(fmt::format("SELECT {} FROM host_credentials WHERE host_id = ?", k_cols), {host_id}));
        if (rows.empty()) return {};
        CRM_TRY(rec, from_row(rows[0]));
        out = std::move(rec);
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return out;
}

Result<std::vector<HostCredentialsRecord>> HostCredentials::all() {
    std::vector<HostCredentialsRecord> out;
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(rows, db.query(fmt::format("SELECT {} FROM host_credentials ORDER BY host_id", k_cols)));
        for (const auto& r : rows) {
            CRM_TRY(rec, from_row(r));
            out.push_back(std::move(rec));
        }
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return out;
}

}  // namespace crm::engine
