#include "engine/store/idempotency_records.hpp"

namespace crm::engine {

using store::Database;
using util::Result;

Result<IdempotencyClaim> IdempotencyRecords::begin(const std::string& key, const std::string& fingerprint,
                                                   std::int64_t now_unix, std::chrono::seconds ttl) {
    IdempotencyClaim claim;
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(rows, db.query("SELECT fingerprint, state, status, response_json, created_unix FROM "
                               "idempotency_records WHERE key = ?",
                               {key}));
        const bool expired = !rows.empty() && rows[0].i64(4) + ttl.count() <= now_unix;
        if (!rows.empty() && !expired) {
            const auto& r = rows[0];
            if (r.text(0) != fingerprint) {
                claim.kind = IdempotencyClaim::Kind::mismatch;
            } else if (r.text(1) == "running") {
                claim.kind = IdempotencyClaim::Kind::in_progress;
            } else {
                claim = {IdempotencyClaim::Kind::replay, static_cast<int>(r.i64(2)), r.text(3)};
            }
            return {};
        }
        CRM_TRY_VOID(
            db.execute("INSERT INTO idempotency_records(key, fingerprint, state, created_unix) "
                       "VALUES (?, ?, 'running', ?) ON CONFLICT(key) DO UPDATE SET "
                       "fingerprint = excluded.fingerprint, state = 'running', status = 0, "
                       "response_json = '', created_unix = excluded.created_unix",
                       {key, fingerprint, now_unix}));
        // Expired answers of other keys go with this write, so the table stays bounded.
        CRM_TRY_VOID(db.execute("DELETE FROM idempotency_records WHERE state = 'done' AND created_unix <= ?",
                                {now_unix - ttl.count()}));
        claim.kind = IdempotencyClaim::Kind::started;
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return claim;
}

Result<void> IdempotencyRecords::finish(const std::string& key, int status, const std::string& response_json) {
    return m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(
            db.execute("UPDATE idempotency_records SET state = 'done', status = ?, response_json = ? WHERE key = ?",
                       {std::int64_t{status}, response_json, key}));
        return {};
    });
}

Result<void> IdempotencyRecords::abandon(const std::string& key) {
    return m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(db.execute("DELETE FROM idempotency_records WHERE key = ? AND state = 'running'", {key}));
        return {};
    });
}

Result<std::int64_t> IdempotencyRecords::clear_running() {
    std::int64_t n = 0;
    auto t = m_store.transaction([&](Database& db) -> Result<void> {
        CRM_TRY(deleted, db.execute("DELETE FROM idempotency_records WHERE state = 'running'"));
        n = deleted;
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return n;
}

}  // namespace crm::engine
