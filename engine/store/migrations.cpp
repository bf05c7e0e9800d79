#include "engine/store/migrations.hpp"

#include <fmt/format.h>

namespace crm::engine::store {

namespace {

constexpr std::string_view k_v1 = R"sql(
CREATE TABLE hosts (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  url               TEXT NOT NULL UNIQUE,
  version           TEXT NOT NULL DEFAULT '',
  capabilities_json TEXT NOT NULL DEFAULT '{}',
  probed_at         TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL
);
CREATE TABLE packs (
  pack_id      TEXT PRIMARY KEY,
  version      TEXT NOT NULL,
  sha256       TEXT NOT NULL DEFAULT '',
  source       TEXT NOT NULL DEFAULT '',
  installed_at TEXT NOT NULL
);
CREATE TABLE providers (
  pack_id         TEXT NOT NULL REFERENCES packs(pack_id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  platform        TEXT NOT NULL,
  definition_json TEXT NOT NULL,
  PRIMARY KEY (pack_id, name)
);
CREATE TABLE import_batches (
  id              INTEGER PRIMARY KEY,
  host_id         INTEGER NOT NULL REFERENCES hosts(id),
  pack_id         TEXT NOT NULL,
  pack_version    TEXT NOT NULL DEFAULT '',
  provider        TEXT NOT NULL,
  platform        TEXT NOT NULL,
  name_prefix     TEXT NOT NULL,
  modes           TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN
                    ('pending','running','succeeded','failed','rolled_back','rollback_failed')),
  provider_status TEXT NOT NULL CHECK (provider_status IN ('active','inactive','broken')),
  error           TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX import_batches_host ON import_batches(host_id);
CREATE TABLE batch_resources (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES import_batches(id),
  kind       TEXT NOT NULL CHECK (kind IN
               ('group','account','channel','user','subscription','api_key')),
  ord        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  mode       TEXT CHECK (mode IS NULL OR mode IN ('self_service','subscription')),
  host_id    INTEGER,
  state      TEXT NOT NULL CHECK (state IN ('intent','created','deleted','absent','delete_failed')),
  spec_json  TEXT NOT NULL DEFAULT '{}',
  parent_id  INTEGER REFERENCES batch_resources(id),
  error      TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  UNIQUE (batch_id, ord)
);
CREATE INDEX batch_resources_state ON batch_resources(state);
CREATE TABLE access_closures (
  batch_id        INTEGER NOT NULL REFERENCES import_batches(id),
  mode            TEXT NOT NULL CHECK (mode IN ('self_service','subscription')),
  access_status   TEXT NOT NULL CHECK (access_status IN
                    ('none','self_service_ready','subscription_ready','broken')),
  managed_user    INTEGER NOT NULL,
  user_email      TEXT NOT NULL DEFAULT '',
  user_password   TEXT NOT NULL DEFAULT '',
  user_id         INTEGER,
  group_id        INTEGER,
  key_id          INTEGER,
  api_key         TEXT NOT NULL DEFAULT '',
  subscription_id INTEGER,
  evidence_json   TEXT NOT NULL DEFAULT '{}',
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (batch_id, mode)
);
CREATE TABLE reconcile_runs (
  id            INTEGER PRIMARY KEY,
  batch_id      INTEGER NOT NULL REFERENCES import_batches(id),
  status        TEXT NOT NULL CHECK (status IN ('in_sync','drifted')),
  drift_count   INTEGER NOT NULL,
  residue_count INTEGER NOT NULL,
  report_json   TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
)sql";

// v2: balance the engine adds to an operator's reused user. The user is not the engine's to
// delete, so rollback takes the credit back instead; a row is journaled before the host call.
constexpr std::string_view k_v2 = R"sql(
CREATE TABLE balance_credits (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER NOT NULL REFERENCES import_batches(id),
  mode            TEXT NOT NULL CHECK (mode IN ('self_service','subscription')),
  user_id         INTEGER NOT NULL,
  user_email      TEXT NOT NULL,
  amount          REAL NOT NULL CHECK (amount > 0),
  taken_back      REAL NOT NULL DEFAULT 0,
  idempotency_key TEXT NOT NULL,
  pending_back    REAL NOT NULL DEFAULT 0,
  pending_key     TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL CHECK (state IN
                    ('intent','applied','absent','taken_back','take_back_failed')),
  error           TEXT NOT NULL DEFAULT '',
  updated_at      TEXT NOT NULL
);
CREATE INDEX balance_credits_batch ON balance_credits(batch_id);
)sql";

// v3: which batches a `crm-accept run` created. A run removes everything it imported before it
// ends, so recover finishes a dead run's batches whatever their status; a batch imported with
// `crm-accept engine import` (owner_run '') is an installed provider and stays.
constexpr std::string_view k_v3 = R"sql(
ALTER TABLE import_batches ADD COLUMN owner_run TEXT NOT NULL DEFAULT '';
)sql";

// v4: the control plane (`crm-accept serve`). A registered host's admin credentials: a literal
// key (this file is 0600) or the name of a server variable read at use; and the answers to
// creating POSTs by Idempotency-Key, so a client's retry is answered without running again,
// also after a restart.
constexpr std::string_view k_v4 = R"sql(
CREATE TABLE host_credentials (
  host_id            INTEGER PRIMARY KEY REFERENCES hosts(id),
  admin_auth         TEXT NOT NULL CHECK (admin_auth IN ('key','key_env','login')),
  admin_key          TEXT NOT NULL DEFAULT '',
  admin_key_env      TEXT NOT NULL DEFAULT '',
  admin_email        TEXT NOT NULL DEFAULT '',
  admin_password_env TEXT NOT NULL DEFAULT '',
  accept_compliance  INTEGER NOT NULL DEFAULT 0,
  updated_at         TEXT NOT NULL
);
CREATE TABLE idempotency_records (
  key           TEXT PRIMARY KEY,
  fingerprint   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('running','done')),
  status        INTEGER NOT NULL DEFAULT 0,
  response_json TEXT NOT NULL DEFAULT '',
  created_unix  INTEGER NOT NULL
);
)sql";

}  // namespace

const std::vector<std::string_view>& migrations() {
    static const std::vector<std::string_view> k_all{k_v1, k_v2, k_v3, k_v4};
    return k_all;
}

util::Result<void> migrate(Database& db) {
    const auto known = static_cast<std::int64_t>(migrations().size());
    CRM_TRY(before, db.user_version());
    if (before == known) return {};
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r;
    // Re-read under the write lock: another process may have migrated meanwhile.
    auto current = db.user_version();
    util::Result<void> result;
    if (!current) {
        result = std::unexpected(current.error());
    } else if (*current > known) {
        result = util::fail(util::ErrorCode::invalid_input,
                            fmt::format("state store {} has schema version {}, but this crm-accept "
                                        "knows only up to {}; use a newer crm-accept or another --db",
                                        db.path().string(), *current, known));
    } else {
        for (auto v = *current; v < known && result; ++v) {
            result = db.exec(migrations()[static_cast<std::size_t>(v)]);
        }
        if (result) result = db.set_user_version(known);
    }
    if (!result) {
        (void)db.exec("ROLLBACK");
        return result;
    }
    return db.exec("COMMIT");
}

}  // namespace crm::engine::store
