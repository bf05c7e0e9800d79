// State store queries. Every write goes through transaction() (BEGIN IMMEDIATE) so a second
// process either sees the whole change or none of it; SQLite's busy timeout makes the writers
// queue instead of failing.
#include "engine/store/state_store.hpp"

#include <fmt/format.h>

#include <ctime>

#include "engine/store/migrations.hpp"
#include "engine/store/stored_value.hpp"

namespace crm::engine {

using store::Database;
using store::Row;
using store::sql_null;
using store::sql_opt;
using store::SqlValue;
using util::ErrorCode;
using util::fail;
using util::Result;

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

std::string normalise_url(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

std::string join_modes(const std::vector<AccessMode>& modes) {
    std::string out;
    for (auto m : modes) {
        if (!out.empty()) out += ',';
        out += to_string(m);
    }
    return out;
}

// `modes` holds join_modes() output: known names separated by commas, or "" for none.
Result<std::vector<AccessMode>> split_modes(const std::string& s, std::int64_t row) {
    std::vector<AccessMode> out;
    if (s.empty()) return out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        const std::string name = s.substr(start, end - start);
        CRM_TRY(mode, store::parse_stored(parse_access_mode, name, "import_batches.modes", row));
        out.push_back(mode);
        start = end + 1;
    }
    return out;
}

constexpr std::string_view k_batch_cols =
    "id, host_id, pack_id, pack_version, provider, platform, name_prefix, modes, status, "
    "provider_status, error, created_at, updated_at, owner_run";

Result<BatchRecord> batch_from(const Row& r) {
    BatchRecord b;
    b.id = r.i64(0);
    b.host_id = r.i64(1);
    b.pack_id = r.text(2);
    b.pack_version = r.text(3);
    b.provider = r.text(4);
    b.platform = r.text(5);
    b.name_prefix = r.text(6);
    CRM_TRY(modes, split_modes(r.text(7), b.id));
    b.modes = std::move(modes);
    CRM_TRY(status, store::parse_stored(parse_batch_status, r.text(8), "import_batches.status", b.id));
    b.status = status;
    CRM_TRY(provider_status,
            store::parse_stored(parse_provider_status, r.text(9), "import_batches.provider_status", b.id));
    b.provider_status = provider_status;
    b.error = r.text(10);
    b.created_at = r.text(11);
    b.updated_at = r.text(12);
    b.owner_run = r.text(13);
    return b;
}

constexpr std::string_view k_resource_cols =
    "id, batch_id, kind, ord, name, mode, host_id, state, spec_json, parent_id, error";

Result<ResourceRecord> resource_from(const Row& r) {
    ResourceRecord x;
    x.id = r.i64(0);
    x.batch_id = r.i64(1);
    CRM_TRY(kind, store::parse_stored(parse_resource_kind, r.text(2), "batch_resources.kind", x.id));
    x.kind = kind;
    x.ord = r.i64(3);
    x.name = r.text(4);
    if (!r.is_null(5)) {
        CRM_TRY(mode, store::parse_stored(parse_access_mode, r.text(5), "batch_resources.mode", x.id));
        x.mode = mode;
    }
    x.host_id = r.opt_i64(6);
    CRM_TRY(state, store::parse_stored(parse_resource_state, r.text(7), "batch_resources.state", x.id));
    x.state = state;
    x.spec_json = r.text(8);
    x.parent_id = r.opt_i64(9);
    x.error = r.text(10);
    return x;
}

constexpr std::string_view k_access_cols =
    "batch_id, mode, access_status, managed_user, user_email, user_password, user_id, group_id, "
    "key_id, api_key, subscription_id, evidence_json, updated_at";

// Reads k_access_cols followed by the rowid, which names the row in errors: the table's key is
// (batch_id, mode), and mode is one of the columns that can hold unknown text.
Result<AccessClosureRecord> access_from(const Row& r) {
    AccessClosureRecord a;
    const std::int64_t row = r.i64(13);
    a.batch_id = r.i64(0);
    CRM_TRY(mode, store::parse_stored(parse_access_mode, r.text(1), "access_closures.mode", row));
    a.mode = mode;
    CRM_TRY(status, store::parse_stored(parse_access_status, r.text(2), "access_closures.access_status", row));
    a.access_status = status;
    a.managed_user = r.i64(3) != 0;
    a.user_email = r.text(4);
    a.user_password = r.text(5);
    a.user_id = r.opt_i64(6);
    a.group_id = r.opt_i64(7);
    a.key_id = r.opt_i64(8);
    a.api_key = r.text(9);
    a.subscription_id = r.opt_i64(10);
    a.evidence_json = r.text(11);
    a.updated_at = r.text(12);
    return a;
}

// Converts every row, stopping at the first that holds unknown text.
template <class Record>
Result<std::vector<Record>> all_from(const std::vector<Row>& rows, Result<Record> (*from)(const Row&)) {
    std::vector<Record> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        CRM_TRY(record, from(r));
        out.push_back(std::move(record));
    }
    return out;
}

SqlValue text(std::string_view s) { return std::string(s); }

}  // namespace

struct StateStore::Impl {
    explicit Impl(Database d) : db(std::move(d)) {}
    Database db;
    std::mutex mutex;
};

StateStore::StateStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
StateStore::StateStore(StateStore&&) noexcept = default;
StateStore& StateStore::operator=(StateStore&&) noexcept = default;
StateStore::~StateStore() = default;

Result<StateStore> StateStore::open(const std::filesystem::path& path) {
    CRM_TRY(db, Database::open(path));
    CRM_TRY_VOID(store::migrate(db));
    return StateStore(std::make_unique<Impl>(std::move(db)));
}

const std::filesystem::path& StateStore::path() const { return m_impl->db.path(); }

Result<std::int64_t> StateStore::schema_version() {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->db.user_version();
}

Result<std::string> StateStore::integrity_check() {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows, m_impl->db.query("PRAGMA integrity_check"));
    if (rows.empty()) return std::string("no answer");
    return rows[0].text(0);
}

Result<void> StateStore::transaction(const std::function<Result<void>(Database&)>& fn) {
    std::lock_guard lock(m_impl->mutex);
    auto& db = m_impl->db;
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r;
    auto result = fn(db);
    if (!result) {
        (void)db.exec("ROLLBACK");
        return result;
    }
    if (auto c = db.exec("COMMIT"); !c) {
        (void)db.exec("ROLLBACK");
        return c;
    }
    return {};
}

Result<std::int64_t> StateStore::upsert_host(const std::string& name, const std::string& url) {
    std::int64_t id = 0;
    const std::string key = normalise_url(url);
    auto r = transaction([&](Database& db) -> Result<void> {
        CRM_TRY(rows, db.query("SELECT id FROM hosts WHERE url = ?", {key}));
        if (!rows.empty()) {
            id = rows[0].i64(0);
            if (!name.empty()) {
                CRM_TRY_VOID(db.execute("UPDATE hosts SET name = ? WHERE id = ?", {name, id}));
            }
            return {};
        }
        CRM_TRY_VOID(db.execute("INSERT INTO hosts(name, url, created_at) VALUES (?, ?, ?)",
                                {name.empty() ? key : name, key, utc_now()}));
        id = db.last_insert_rowid();
        return {};
    });
    if (!r) return std::unexpected(r.error());
    return id;
}

Result<void> StateStore::record_host_probe(std::int64_t host_id, const std::string& version,
                                           const std::string& capabilities_json) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY(u, db.execute("UPDATE hosts SET version = ?, capabilities_json = ?, probed_at = ? WHERE id = ?",
                              {version, capabilities_json, utc_now(), host_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("host {} is not in the state store", host_id));
        return {};
    });
}

namespace {
HostRecord host_from(const Row& r) {
    return HostRecord{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)};
}
}  // namespace

Result<std::optional<HostRecord>> StateStore::find_host(const std::string& url) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query("SELECT id, name, url, version, capabilities_json, probed_at FROM hosts WHERE url = ?",
                             {normalise_url(url)}));
    if (rows.empty()) return std::optional<HostRecord>{};
    return std::optional<HostRecord>{host_from(rows[0])};
}

Result<HostRecord> StateStore::host(std::int64_t host_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query("SELECT id, name, url, version, capabilities_json, probed_at FROM hosts WHERE id = ?",
                             {host_id}));
    if (rows.empty()) return fail(ErrorCode::not_found, fmt::format("host {} is not in the state store", host_id));
    return host_from(rows[0]);
}

Result<std::vector<HostRecord>> StateStore::hosts() {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query("SELECT id, name, url, version, capabilities_json, probed_at FROM hosts ORDER BY id"));
    std::vector<HostRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(host_from(r));
    return out;
}

Result<void> StateStore::install_pack(const PackRecord& pack) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(
            db.execute("INSERT INTO packs(pack_id, version, sha256, source, installed_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(pack_id) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256, "
                       "source = excluded.source, installed_at = excluded.installed_at",
                       {pack.pack_id, pack.version, pack.sha256, pack.source, utc_now()}));
        CRM_TRY_VOID(db.execute("DELETE FROM providers WHERE pack_id = ?", {pack.pack_id}));
        for (const auto& p : pack.providers) {
            CRM_TRY_VOID(
                db.execute("INSERT INTO providers(pack_id, name, platform, definition_json) VALUES (?, ?, ?, ?)",
                           {pack.pack_id, p.name, p.platform, p.definition_json}));
        }
        return {};
    });
}

Result<std::vector<PackRecord>> StateStore::packs() {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query("SELECT pack_id, version, sha256, source, installed_at FROM packs ORDER BY pack_id"));
    std::vector<PackRecord> out;
    for (const auto& r : rows) {
        PackRecord p{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), {}};
        CRM_TRY(prov, m_impl->db.query(
                          "SELECT name, platform, definition_json FROM providers WHERE pack_id = ? ORDER BY name",
                          {p.pack_id}));
        for (const auto& pr : prov) p.providers.push_back({pr.text(0), pr.text(1), pr.text(2)});
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::int64_t> StateStore::create_batch(const BatchRecord& b) {
    std::int64_t id = 0;
    auto r = transaction([&](Database& db) -> Result<void> {
        const auto now = utc_now();
        CRM_TRY_VOID(
            db.execute("INSERT INTO import_batches(host_id, pack_id, pack_version, provider, platform, name_prefix, "
                       "modes, status, provider_status, error, created_at, updated_at, owner_run) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 'inactive', '', ?, ?, ?)",
                       {b.host_id, b.pack_id, b.pack_version, b.provider, b.platform, b.name_prefix,
                        join_modes(b.modes), now, now, b.owner_run}));
        id = db.last_insert_rowid();
        return {};
    });
    if (!r) return std::unexpected(r.error());
    return id;
}

Result<void> StateStore::set_batch_status(std::int64_t batch_id, BatchStatus to,
                                          std::optional<ProviderStatus> provider_status, const std::string& error) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY(rows, db.query("SELECT status FROM import_batches WHERE id = ?", {batch_id}));
        if (rows.empty()) return fail(ErrorCode::not_found, fmt::format("batch {} does not exist", batch_id));
        CRM_TRY(from, store::parse_stored(parse_batch_status, rows[0].text(0), "import_batches.status", batch_id));
        if (from != to && !can_transition(from, to)) {
            return fail(ErrorCode::invalid_input,
                        fmt::format("batch {} is {}; it cannot become {}", batch_id, to_string(from), to_string(to)));
        }
        auto ps = provider_status.value_or(provider_status_for(to));
        CRM_TRY_VOID(db.execute(
            "UPDATE import_batches SET status = ?, provider_status = ?, error = ?, updated_at = ? WHERE id = ?",
            {text(to_string(to)), text(to_string(ps)), error, utc_now(), batch_id}));
        return {};
    });
}

Result<void> StateStore::set_provider_status(std::int64_t batch_id, ProviderStatus s) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY(u, db.execute("UPDATE import_batches SET provider_status = ?, updated_at = ? WHERE id = ?",
                              {text(to_string(s)), utc_now(), batch_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("batch {} does not exist", batch_id));
        return {};
    });
}

Result<BatchRecord> StateStore::batch(std::int64_t batch_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query(fmt::format("SELECT {} FROM import_batches WHERE id = ?", k_batch_cols), {batch_id}));
    if (rows.empty())
        return fail(ErrorCode::not_found, fmt::format("batch {} does not exist in {}", batch_id, path().string()));
    return batch_from(rows[0]);
}

Result<std::vector<BatchRecord>> StateStore::batches(std::optional<std::int64_t> host_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows, host_id ? m_impl->db.query(fmt::format("SELECT {} FROM import_batches WHERE host_id = ? ORDER BY id",
                                                         k_batch_cols),
                                             {*host_id})
                          : m_impl->db.query(fmt::format("SELECT {} FROM import_batches ORDER BY id", k_batch_cols)));
    return all_from(rows, batch_from);
}

Result<std::int64_t> StateStore::journal_intent(const ResourceRecord& r) {
    std::int64_t id = 0;
    auto t = transaction([&](Database& db) -> Result<void> {
        CRM_TRY(next,
                db.query("SELECT COALESCE(MAX(ord), 0) + 1 FROM batch_resources WHERE batch_id = ?", {r.batch_id}));
        CRM_TRY_VOID(db.execute(
            "INSERT INTO batch_resources(batch_id, kind, ord, name, mode, host_id, state, spec_json, parent_id, "
            "error, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'intent', ?, ?, '', ?)",
            {r.batch_id, text(to_string(r.kind)), next[0].i64(0), r.name,
             r.mode ? text(to_string(*r.mode)) : sql_null(), sql_opt(r.host_id),
             r.spec_json.empty() ? std::string("{}") : r.spec_json, sql_opt(r.parent_id), utc_now()}));
        id = db.last_insert_rowid();
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return id;
}

Result<void> StateStore::mark_created(std::int64_t resource_id, std::int64_t host_id) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY(
            u, db.execute(
                   "UPDATE batch_resources SET host_id = ?, state = 'created', error = '', updated_at = ? WHERE id = ?",
                   {host_id, utc_now(), resource_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("resource {} is not journaled", resource_id));
        return {};
    });
}

Result<void> StateStore::mark_state(std::int64_t resource_id, ResourceState s, const std::string& error) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY(u, db.execute("UPDATE batch_resources SET state = ?, error = ?, updated_at = ? WHERE id = ?",
                              {text(to_string(s)), error, utc_now(), resource_id}));
        if (u == 0) return fail(ErrorCode::not_found, fmt::format("resource {} is not journaled", resource_id));
        return {};
    });
}

Result<std::vector<ResourceRecord>> StateStore::resources(std::int64_t batch_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows, m_impl->db.query(
                      fmt::format("SELECT {} FROM batch_resources WHERE batch_id = ? ORDER BY ord", k_resource_cols),
                      {batch_id}));
    return all_from(rows, resource_from);
}

Result<std::vector<ResourceRecord>> StateStore::live_resources(std::int64_t host_id) {
    std::lock_guard lock(m_impl->mutex);
    auto rows = m_impl->db.query(
        fmt::format(
            "SELECT r.{} FROM batch_resources r JOIN import_batches b ON b.id = r.batch_id "
            "WHERE b.host_id = ? AND r.state IN ('intent','created','delete_failed') ORDER BY r.batch_id, r.ord",
            [] {
                // prefix every column with "r."
                std::string cols;
                std::string_view all = k_resource_cols;
                std::size_t start = 0;
                while (start < all.size()) {
                    auto end = all.find(", ", start);
                    if (end == std::string_view::npos) end = all.size();
                    if (!cols.empty()) cols += ", r.";
                    cols += all.substr(start, end - start);
                    start = end + 2;
                }
                return cols;
            }()),
        {host_id});
    if (!rows) return std::unexpected(rows.error());
    return all_from(*rows, resource_from);
}

Result<void> StateStore::upsert_access(const AccessClosureRecord& a) {
    return transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(db.execute(
            fmt::format("INSERT OR REPLACE INTO access_closures({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        k_access_cols),
            {a.batch_id, text(to_string(a.mode)), text(to_string(a.access_status)),
             std::int64_t{a.managed_user ? 1 : 0}, a.user_email, a.user_password, sql_opt(a.user_id),
             sql_opt(a.group_id), sql_opt(a.key_id), a.api_key, sql_opt(a.subscription_id),
             a.evidence_json.empty() ? std::string("{}") : a.evidence_json, utc_now()}));
        return {};
    });
}

Result<std::optional<AccessClosureRecord>> StateStore::access(std::int64_t batch_id, AccessMode m) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows, m_impl->db.query(fmt::format("SELECT {}, rowid FROM access_closures WHERE batch_id = ? AND mode = ?",
                                               k_access_cols),
                                   {batch_id, text(to_string(m))}));
    if (rows.empty()) return std::optional<AccessClosureRecord>{};
    CRM_TRY(closure, access_from(rows[0]));
    return std::optional<AccessClosureRecord>{std::move(closure)};
}

Result<std::vector<AccessClosureRecord>> StateStore::access_closures(std::int64_t batch_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows, m_impl->db.query(fmt::format("SELECT {}, rowid FROM access_closures WHERE batch_id = ? ORDER BY mode",
                                               k_access_cols),
                                   {batch_id}));
    return all_from(rows, access_from);
}

Result<std::int64_t> StateStore::record_reconcile(const ReconcileRunRecord& run) {
    std::int64_t id = 0;
    auto t = transaction([&](Database& db) -> Result<void> {
        CRM_TRY_VOID(db.execute(
            "INSERT INTO reconcile_runs(batch_id, status, drift_count, residue_count, report_json, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            {run.batch_id, run.status, run.drift_count, run.residue_count, run.report_json, utc_now()}));
        id = db.last_insert_rowid();
        return {};
    });
    if (!t) return std::unexpected(t.error());
    return id;
}

Result<std::vector<ReconcileRunRecord>> StateStore::reconcile_runs(std::int64_t batch_id) {
    std::lock_guard lock(m_impl->mutex);
    CRM_TRY(rows,
            m_impl->db.query(
                "SELECT id, batch_id, status, drift_count, residue_count, report_json, created_at FROM reconcile_runs "
                "WHERE batch_id = ? ORDER BY id",
                {batch_id}));
    std::vector<ReconcileRunRecord> out;
    for (const auto& r : rows) out.push_back({r.i64(0), r.i64(1), r.text(2), r.i64(3), r.i64(4), r.text(5), r.text(6)});
    return out;
}

}  // namespace crm::engine
