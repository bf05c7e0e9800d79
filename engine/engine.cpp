// The Engine facade: resolves providers and hosts, builds one OpContext per call over the host's
// session (host/host_session.hpp) and hands it to the operation files. Anything
// operation-specific lives in import/, access/, rollback/, reconcile/ and recover/.
#include "engine/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "engine/access/access_closer.hpp"
#include "engine/import/import_planner.hpp"
#include "engine/import/importer.hpp"
#include "engine/ops/op_context.hpp"
#include "engine/packs/key_source.hpp"
#include "engine/reconcile/reconciler.hpp"
#include "engine/recover/recover.hpp"
#include "engine/rollback/rollback.hpp"
#include "engine/store/host_lease.hpp"

namespace crm::engine {

namespace sub2api = probes::sub2api;
using util::ErrorCode;
using util::fail;
using util::Result;

namespace {

// Writers wait this long for a running recover to finish; recover waits a little for writers
// that are about to end, then refuses (it must never treat a live batch as a dead one's).
constexpr std::chrono::milliseconds k_writer_lease_wait{30000};
constexpr std::chrono::milliseconds k_recover_lease_wait{2000};

std::string trimmed_url(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace

Engine::Engine(EngineDeps deps) : m_deps(std::move(deps)) {
    if (!m_deps.sessions) m_own_sessions = std::make_unique<HostSessions>(m_deps.http, m_deps.secrets);
}

// The operation's context over the host's session: the session's shared admin client
// (conn##_session also gives its capability probe).
#define CRM_CONNECT(conn, host)                                                                      \
    if ((host).url.empty()) return fail(ErrorCode::invalid_input, "no host URL given");              \
    auto conn##_host_id = m_deps.store.upsert_host((host).name, trimmed_url((host).url));            \
    if (!conn##_host_id) return std::unexpected(conn##_host_id.error());                             \
    HostSession& conn##_session = sessions().session(host);                                          \
    OpContext conn{m_deps.store,    conn##_session.admin(),  m_deps.http,   m_deps.secrets,          \
                   m_deps.events,   m_deps.after_host_write, m_host_writes, trimmed_url((host).url), \
                   *conn##_host_id, (host).timeouts};

#define CRM_LEASE(ctx, kind, wait)                                                                                    \
    auto ctx##_lease = store::HostLease::acquire(m_deps.store.path(), (ctx).host_id, (kind), (wait), (ctx).host_url); \
    if (!ctx##_lease) return std::unexpected(ctx##_lease.error());

Result<sub2api::HostCapabilities> Engine::probe_host(const HostTarget& host) {
    CRM_CONNECT(ctx, host);
    auto caps = ctx_session.capabilities();
    if (!caps) return std::unexpected(caps.error());
    if (auto r = m_deps.store.record_host_probe(ctx.host_id, caps->version, json::serialize(caps->to_json())); !r) {
        return std::unexpected(r.error());
    }
    ctx.emit("probe", fmt::format("host {} version {}: admin auth {}", ctx.host_url, caps->version,
                                  caps->admin_auth_ok ? "ok" : "failed"));
    return caps;
}

Result<void> Engine::install_pack(const std::string& pack_id) {
    const Pack* pack = m_deps.packs.find_pack(pack_id);
    if (!pack) {
        std::string known;
        for (const auto& p : m_deps.packs.packs()) known += (known.empty() ? "" : ", ") + p.id;
        return fail(ErrorCode::not_found,
                    fmt::format("unknown pack {}; known: {}", pack_id, known.empty() ? "none" : known));
    }
    PackRecord rec{pack->id, pack->version, pack->sha256, pack->source, {}, {}};
    for (const auto& p : pack->providers) {
        rec.providers.push_back({p.name, p.platform, json::serialize(p.to_json())});
    }
    return m_deps.store.install_pack(rec);
}

Result<ImportPlan> Engine::preview(const HostTarget& host, const ImportRequest& request) {
    auto provider = m_deps.packs.find(request.pack_id, request.provider);
    if (!provider) return std::unexpected(provider.error());
    const Provider p = with_override(**provider, host.upstreams);
    auto plan = plan_import(p, request, trimmed_url(host.url));
    if (!plan) return std::unexpected(plan.error());
    if (auto key = resolve_upstream_key(p, host.upstreams, m_deps.env, m_deps.read_file); !key) {
        plan->warnings.push_back(key.error().message);
    }
    // Reads only: name collisions the import would hit.
    auto groups = sessions().session(host).admin().list_groups({{"search", request.name_prefix}});
    if (!groups) {
        plan->warnings.push_back("could not read the host's groups: " + groups.error().message);
        if (groups.error().code == util::ErrorCode::protocol) plan->foreign_answer = plan->warnings.back();
        return plan;
    }
    for (const auto& planned : plan->resources) {
        if (planned.kind != ResourceKind::group) continue;
        for (const auto& g : *groups) {
            if (g.name == planned.name) {
                plan->warnings.push_back(
                    fmt::format("group {} already exists on the host (id {}): import would fail "
                                "with a name collision; use another name prefix",
                                g.name, g.id));
            }
        }
    }
    return plan;
}

Result<ImportOutcome> Engine::import(const HostTarget& host, const ImportRequest& request) {
    auto provider = m_deps.packs.find(request.pack_id, request.provider);
    if (!provider) return std::unexpected(provider.error());
    const Provider p = with_override(**provider, host.upstreams);
    CRM_TRY(plan, plan_import(p, request, trimmed_url(host.url)));
    auto key = resolve_upstream_key(p, host.upstreams, m_deps.env, m_deps.read_file, &m_deps.secrets);
    if (!key) return std::unexpected(key.error());

    CRM_CONNECT(ctx, host);
    CRM_LEASE(ctx, store::LeaseKind::shared, k_writer_lease_wait);
    // Nothing is journaled against a host that does not answer or refuses the admin (wrong key,
    // compliance gate not accepted): one admin read proves both before the batch exists.
    if (auto v = ctx.admin.system_version(); !v) {
        return fail(v.error().code, fmt::format("host {} cannot be provisioned: {}", ctx.host_url, v.error().message));
    }
    BatchRecord b;
    b.host_id = ctx.host_id;
    b.pack_id = p.pack_id;
    b.pack_version = p.pack_version;
    b.provider = p.name;
    b.platform = p.platform;
    b.name_prefix = request.name_prefix;
    b.modes = request.modes;
    b.owner_run = request.owner_run;
    CRM_TRY(batch_id, m_deps.store.create_batch(b));
    ctx.emit("import", fmt::format("batch {}: importing {} into {}", batch_id, p.qualified_name(), ctx.host_url),
             batch_id);
    return run_import(ctx, batch_id, p, plan, *key);
}

namespace {
Result<const Provider*> provider_of(const PackCatalog& packs, const BatchRecord& b) {
    auto p = packs.find(b.pack_id, b.provider);
    if (!p) {
        return fail(ErrorCode::not_found,
                    fmt::format("batch {} was imported from {}/{}, which is not in the loaded packs (--pack-dir)", b.id,
                                b.pack_id, b.provider));
    }
    return *p;
}

Result<void> same_host(const BatchRecord& b, std::int64_t host_id, const std::string& url) {
    if (b.host_id != host_id) {
        return fail(ErrorCode::invalid_input, fmt::format("batch {} belongs to another host than {}", b.id, url));
    }
    return {};
}
}  // namespace

Result<AccessOutcome> Engine::close_access(const HostTarget& host, std::int64_t batch_id, AccessMode mode,
                                           const AccessOptions& options) {
    CRM_TRY(batch, m_deps.store.batch(batch_id));
    auto provider = provider_of(m_deps.packs, batch);
    if (!provider) return std::unexpected(provider.error());
    CRM_CONNECT(ctx, host);
    CRM_TRY_VOID(same_host(batch, ctx.host_id, ctx.host_url));
    CRM_LEASE(ctx, store::LeaseKind::shared, k_writer_lease_wait);
    CRM_TRY(caps, ctx_session.capabilities());
    if (!caps.admin_auth_ok) {
        return fail(ErrorCode::host_rejected,
                    fmt::format("host {} rejected admin auth: {}", ctx.host_url, caps.admin_auth_error));
    }
    return run_access(ctx, batch_id, mode, **provider, options, caps.key_route);
}

Result<std::vector<AccountTestResult>> Engine::test_accounts(const HostTarget& host, std::int64_t batch_id) {
    CRM_TRY(batch, m_deps.store.batch(batch_id));
    CRM_TRY(provider, provider_of(m_deps.packs, batch));
    CRM_TRY(records, m_deps.store.resources(batch_id));
    std::vector<std::int64_t> account_ids;
    for (const auto& r : records) {
        if (r.kind == ResourceKind::account && r.state == ResourceState::created && r.host_id) {
            account_ids.push_back(*r.host_id);
        }
    }
    CRM_CONNECT(ctx, host);
    CRM_TRY_VOID(same_host(batch, ctx.host_id, ctx.host_url));
    return engine::test_accounts(ctx, account_ids, (provider)->smoke_test_model);
}

Result<json::value> Engine::read_back_access(const HostTarget& host, std::int64_t batch_id, AccessMode mode) {
    auto batch = m_deps.store.batch(batch_id);
    if (!batch) return std::unexpected(batch.error());
    auto closure = m_deps.store.access(batch_id, mode);
    if (!closure) return std::unexpected(closure.error());
    if (!closure->has_value() || !(*closure)->user_id) {
        return fail(ErrorCode::not_found, fmt::format("batch {} has no {} access closure", batch_id, to_string(mode)));
    }
    const auto& c = **closure;
    CRM_CONNECT(ctx, host);
    json::object out{{"schema_version", 1},
                     {"batch_id", batch_id},
                     {"mode", to_string(mode)},
                     {"access_status", to_string(c.access_status)}};
    auto err = [](const util::Error& e) { return json::object{{"error", e.message}}; };
    if (auto u = ctx.admin.get_user(*c.user_id)) {
        out["user"] =
            json::object{{"id", u->id}, {"status", u->status}, {"balance", u->balance}, {"managed", c.managed_user}};
    } else {
        out["user"] = err(u.error());
    }
    if (c.group_id) {
        if (auto g = ctx.admin.get_group(*c.group_id)) {
            out["group"] = json::object{{"id", g->id},
                                        {"name", g->name},
                                        {"platform", g->platform},
                                        {"subscription_type", g->subscription_type},
                                        {"status", g->status}};
        } else {
            out["group"] = err(g.error());
        }
    }
    if (c.subscription_id) {
        if (auto s = ctx.admin.get_subscription(*c.subscription_id)) {
            out["subscription"] = json::object{
                {"id", s->id}, {"group_id", s->group_id}, {"status", s->status}, {"expires_at", s->expires_at}};
        } else {
            out["subscription"] = err(s.error());
        }
    }
    if (c.key_id) {
        auto keys = ctx.admin.list_user_keys(*c.user_id);
        json::value key_state = json::object{{"id", *c.key_id}, {"found", false}};
        if (keys) {
            for (const auto& k : *keys) {
                if (k.id != *c.key_id) continue;
                key_state = json::object{{"id", k.id},
                                         {"found", true},
                                         {"status", k.status},
                                         {"group_id", k.group_id ? json::value(*k.group_id) : json::value(nullptr)},
                                         {"bound_to_group", k.group_id == c.group_id}};
            }
        } else {
            key_state = err(keys.error());
        }
        out["api_key"] = std::move(key_state);
    }
    return json::value(std::move(out));
}

Result<ReconcileOutcome> Engine::reconcile(const HostTarget& host, std::int64_t batch_id) {
    CRM_TRY(batch, m_deps.store.batch(batch_id));
    CRM_CONNECT(ctx, host);
    CRM_TRY_VOID(same_host(batch, ctx.host_id, ctx.host_url));
    return run_reconcile(ctx, batch_id);
}

Result<RollbackOutcome> Engine::rollback(const HostTarget& host, std::int64_t batch_id) {
    CRM_TRY(batch, m_deps.store.batch(batch_id));
    CRM_CONNECT(ctx, host);
    CRM_TRY_VOID(same_host(batch, ctx.host_id, ctx.host_url));
    CRM_LEASE(ctx, store::LeaseKind::shared, k_writer_lease_wait);
    return run_rollback(ctx, batch_id);
}

Result<RecoverOutcome> Engine::recover(const HostTarget& host) {
    // A URL this state file has no batch for (a typo, another spelling of the host, the wrong
    // --db) is refused before anything is recorded: "nothing to do" there would read as success
    // while the batches' real host keeps what they own.
    CRM_TRY(all, m_deps.store.batches());
    if (!all.empty()) {
        CRM_TRY(known, m_deps.store.find_host(trimmed_url(host.url)));
        const bool has_batches = known.has_value() && std::any_of(all.begin(), all.end(), [&](const BatchRecord& b) {
                                     return b.host_id == (known)->id;
                                 });
        if (!has_batches) {
            std::string urls;
            std::int64_t last = 0;
            for (const auto& b : all) {
                if (b.host_id == last) continue;
                last = b.host_id;
                if (auto h = m_deps.store.host(b.host_id); h && urls.find(h->url) == std::string::npos)
                    urls += (urls.empty() ? "" : ", ") + h->url;
            }
            return fail(ErrorCode::conflict,
                        fmt::format("{} has no batch on {}; its batches are on {} (pass that as --host-url)",
                                    m_deps.store.path().string(), trimmed_url(host.url), urls));
        }
    }
    CRM_CONNECT(ctx, host);
    CRM_LEASE(ctx, store::LeaseKind::exclusive, k_recover_lease_wait);
    return run_recover(ctx);
}

Result<BatchReport> Engine::status(std::int64_t batch_id) {
    CRM_TRY(batch, m_deps.store.batch(batch_id));
    BatchReport r;
    r.batch_id = batch.id;
    if (auto h = m_deps.store.host(batch.host_id)) r.host_url = h->url;
    r.provider = batch.pack_id + "/" + batch.provider;
    r.platform = batch.platform;
    r.name_prefix = batch.name_prefix;
    r.owner_run = batch.owner_run;
    r.modes = batch.modes;
    r.batch_status = batch.status;
    r.provider_status = batch.provider_status;
    r.error = batch.error;
    r.created_at = batch.created_at;
    r.updated_at = batch.updated_at;
    CRM_TRY(closures, m_deps.store.access_closures(batch_id));
    std::map<AccessMode, AccessStatus> per_mode;
    for (const auto& c : closures) per_mode[c.mode] = c.access_status;
    for (auto m : batch.modes) {
        auto it = per_mode.find(m);
        r.access.emplace_back(m, it == per_mode.end() ? AccessStatus::none : it->second);
    }
    r.latest_access_status = latest_access_status(batch.modes, per_mode);
    CRM_TRY(rs, m_deps.store.resources(batch_id));
    r.resources = resource_views(rs);
    return r;
}

}  // namespace crm::engine
