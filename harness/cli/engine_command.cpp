// `crm-accept engine <verb>`: the provisioning engine's own CLI (docs/ENGINE.md). Verbs: host-probe,
// install-pack, preview, import, access, status, rollback, reconcile, recover.
// This is the composition root for the engine: it reads the environment (state dir, admin key,
// upstream keys, reused user password), opens the state store and the curl transport, and maps
// outcomes to exit codes: 0 success; 1 the engine reports a product failure (batch failed,
// access broken, drift, rollback_failed, recover left something owned on the host); 2 the host
// is unreachable or rejects admin auth; 3 invalid input / unknown provider or batch / missing
// secret / store error / recover refused (host in use, no batch on that --host-url); 64 usage.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <filesystem>

#include "engine/engine.hpp"
#include "engine/packs/pack_catalog.hpp"
#include "harness/cli/command.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

namespace crm::harness {

namespace {

namespace eng = crm::engine;
namespace json = boost::json;

struct EngineOptions {
    std::string verb;
    std::string db;
    std::string host_url;
    std::string host_name;
    std::string admin_key_env = "SUB2API_ADMIN_KEY";
    std::string admin_email;
    std::string admin_password_env;
    bool accept_compliance = false;
    std::string pack_dir = "packs";
    std::string pack;
    std::string provider;
    std::vector<std::string> modes;
    std::string prefix;
    std::int64_t batch = 0;
    std::string user_email;
    std::string user_password_env;
    bool stream = false;
    bool no_account_test = false;
    bool json = false;
};

class ConsoleEvents final : public eng::EngineEvents {
public:
    ConsoleEvents(std::ostream& err, const util::SecretRegistry& secrets) : m_err(err), m_secrets(secrets) {}
    void on_event(const eng::EngineEvent& e) override {
        m_err << "engine " << e.operation << ": " << m_secrets.scrub(e.message) << "\n";
    }

private:
    std::ostream& m_err;
    const util::SecretRegistry& m_secrets;
};

ExitCode exit_for(const util::Error& e) {
    switch (e.code) {
        case util::ErrorCode::connect_failed:
        case util::ErrorCode::timeout:
        case util::ErrorCode::stalled:
        case util::ErrorCode::host_rejected: return ExitCode::environment_blocked;
        case util::ErrorCode::interrupted: return ExitCode::interrupted;
        default: return ExitCode::harness_error;
    }
}

std::string default_db(const util::EnvLookup& env) {
    if (auto x = env("XDG_STATE_HOME"); x && !x->empty()) return *x + "/crm-accept/engine.db";
    if (auto h = env("HOME"); h && !h->empty()) return *h + "/.local/state/crm-accept/engine.db";
    return "crm-accept-engine.db";
}

util::Result<std::vector<eng::AccessMode>> parse_modes(const std::vector<std::string>& raw) {
    std::vector<eng::AccessMode> out;
    for (const auto& item : raw) {
        std::size_t start = 0;
        while (start <= item.size()) {
            auto end = item.find(',', start);
            if (end == std::string::npos) end = item.size();
            auto word = item.substr(start, end - start);
            if (!word.empty()) {
                auto m = eng::parse_access_mode(word);
                if (!m) {
                    return util::fail(util::ErrorCode::invalid_input,
                                      fmt::format("unknown mode '{}' (expected self_service or subscription)", word));
                }
                out.push_back(*m);
            }
            start = end + 1;
        }
    }
    return out;
}

class EngineCli {
public:
    EngineCli(const EngineOptions& o, CommandContext& ctx) : m_o(o), m_ctx(ctx), m_events(ctx.err, m_secrets) {}

    ExitCode run();

private:
    util::Result<eng::HostTarget> host() {
        eng::HostTarget h;
        h.url = m_o.host_url;
        h.name = m_o.host_name;
        h.accept_compliance = m_o.accept_compliance;
        if (h.url.empty()) return util::fail(util::ErrorCode::invalid_input, "--host-url is required for this verb");
        if (!m_o.admin_email.empty()) {
            h.admin.email = m_o.admin_email;
            auto pw = m_o.admin_password_env.empty() ? std::nullopt : m_ctx.env(m_o.admin_password_env);
            if (!pw || pw->empty()) {
                return util::fail(util::ErrorCode::missing_secret,
                                  fmt::format("--admin-email needs --admin-password-env naming a set variable{}",
                                              m_o.admin_password_env.empty() ? "" : " (" + m_o.admin_password_env + " is not set)"));
            }
            h.admin.password = *pw;
            m_secrets.add(*pw);
        } else {
            auto key = m_ctx.env(m_o.admin_key_env);
            if (!key || key->empty()) {
                return util::fail(util::ErrorCode::missing_secret,
                                  fmt::format("admin key variable {} is not set (or use --admin-email with "
                                              "--admin-password-env)",
                                              m_o.admin_key_env));
            }
            h.admin.api_key = *key;
            m_secrets.add(*key);
        }
        return h;
    }

    ExitCode fail_with(const util::Error& e) {
        m_ctx.err << "crm-accept engine " << m_o.verb << ": " << m_secrets.scrub(e.describe()) << "\n";
        return exit_for(e);
    }

    void print(const json::value& v, const std::string& human) {
        if (m_o.json) m_ctx.out << m_secrets.scrub(util::pretty(v));
        else m_ctx.out << m_secrets.scrub(human);
    }

    ExitCode need_batch() {
        m_ctx.err << "crm-accept engine " << m_o.verb << ": --batch ID is required\n";
        return ExitCode::usage;
    }

    const EngineOptions& m_o;
    CommandContext& m_ctx;
    util::SecretRegistry m_secrets;
    ConsoleEvents m_events;
};

std::string resources_text(const std::vector<eng::ResourceView>& rs) {
    std::string out;
    for (const auto& r : rs) {
        out += fmt::format("  {:<12} {:<40} {:<13} {}\n", eng::to_string(r.kind), r.name, eng::to_string(r.state),
                           r.host_id ? std::to_string(*r.host_id) : "-");
    }
    return out;
}

ExitCode EngineCli::run() {
    const std::string db = m_o.db.empty() ? default_db(m_ctx.env) : m_o.db;
    // status only reads: a mistyped --db must not quietly create an empty database.
    if (m_o.verb == "status" && !std::filesystem::exists(db)) {
        m_ctx.err << "crm-accept engine status: no state database at " << db << " (check --db)\n";
        return ExitCode::harness_error;
    }
    const bool needs_host = m_o.verb != "status" && m_o.verb != "install-pack";
    if (needs_host && m_o.host_url.empty()) {
        m_ctx.err << "crm-accept engine " << m_o.verb << ": --host-url is required\n";
        return ExitCode::usage;
    }
    if (needs_host && !m_o.host_url.starts_with("http://") && !m_o.host_url.starts_with("https://")) {
        m_ctx.err << "crm-accept engine " << m_o.verb << ": --host-url must start with http:// or https:// (got "
                  << m_o.host_url << ")\n";
        return ExitCode::usage;
    }
    auto store = eng::StateStore::open(db);
    if (!store) return fail_with(store.error());
    auto catalog = eng::PackCatalog{};
    const bool needs_packs = m_o.verb == "install-pack" || m_o.verb == "preview" || m_o.verb == "import" ||
                             m_o.verb == "access";
    if (needs_packs) {
        auto loaded = eng::load_pack_dir(m_o.pack_dir, m_ctx.env);
        if (!loaded) return fail_with(loaded.error());
        catalog = std::move(*loaded);
    }
    auto http = probes::make_curl_transport();
    eng::Engine engine(eng::EngineDeps{*store, *http, m_secrets, m_ctx.env, catalog,
                                       m_o.json ? nullptr : &m_events, {}, eng::filesystem_reader()});

    if (m_o.verb == "status") {
        if (m_o.batch == 0) {
            auto batches = store->batches();
            if (!batches) return fail_with(batches.error());
            json::array arr;
            std::string text;
            for (const auto& b : *batches) {
                auto rep = engine.status(b.id);
                if (!rep) return fail_with(rep.error());
                arr.push_back(rep->to_json());
                text += fmt::format("batch {:<5} {:<16} {:<24} {:<10} {:<16} {}\n", b.id, eng::to_string(b.status),
                                    rep->provider, b.name_prefix, eng::to_string(rep->provider_status),
                                    eng::to_string(rep->latest_access_status));
            }
            print(json::object{{"schema_version", 1}, {"database", db}, {"batches", std::move(arr)}},
                  text.empty() ? "no batches in " + db + "\n" : text);
            return ExitCode::gate_passed;
        }
        auto rep = engine.status(m_o.batch);
        if (!rep) return fail_with(rep.error());
        std::string access;
        for (const auto& [m, s] : rep->access) access += fmt::format(" {}={}", eng::to_string(m), eng::to_string(s));
        print(rep->to_json(), fmt::format("batch {} {} ({}), provider {} {}, access:{} -> {}\n{}", rep->batch_id,
                                          eng::to_string(rep->batch_status), rep->provider, rep->host_url,
                                          eng::to_string(rep->provider_status), access,
                                          eng::to_string(rep->latest_access_status), resources_text(rep->resources)));
        return ExitCode::gate_passed;
    }
    if (m_o.verb == "install-pack") {
        if (m_o.pack.empty()) {
            m_ctx.err << "crm-accept engine install-pack: --pack ID is required\n";
            return ExitCode::usage;
        }
        if (auto r = engine.install_pack(m_o.pack); !r) return fail_with(r.error());
        const auto* p = catalog.find_pack(m_o.pack);
        print(json::object{{"schema_version", 1}, {"pack", m_o.pack}, {"version", p ? p->version : ""},
                           {"providers", p ? p->providers.size() : 0}},
              fmt::format("installed pack {} {} ({} providers)\n", m_o.pack, p ? p->version : "",
                          p ? p->providers.size() : 0));
        return ExitCode::gate_passed;
    }

    auto target = host();
    if (!target) return fail_with(target.error());

    if (m_o.verb == "host-probe") {
        auto caps = engine.probe_host(*target);
        if (!caps) return fail_with(caps.error());
        print(caps->to_json(),
              fmt::format("host {} version {}: admin auth {}, compliance {}, channels {}, key route {}\n", caps->base_url,
                          caps->version, caps->admin_auth_ok ? "ok" : "FAILED " + caps->admin_auth_error,
                          probes::sub2api::to_string(caps->compliance), caps->channels_supported ? "yes" : "no",
                          probes::sub2api::to_string(caps->key_route)));
        return caps->admin_auth_ok && caps->reachable ? ExitCode::gate_passed : ExitCode::environment_blocked;
    }
    if (m_o.verb == "recover") {
        auto rec = engine.recover(*target);
        if (!rec) return fail_with(rec.error());
        std::string text = fmt::format("{} intents resolved ({} found on the host), {} batches rolled back, {} "
                                       "installed kept, {} owned left on the host\n",
                                       rec->intents_resolved, rec->intents_found_on_host,
                                       rec->batches_rolled_back.size(), rec->batches_kept.size(),
                                       rec->remaining.size());
        for (const auto& l : rec->remaining) text += "left: " + l.line() + "\n";
        for (const auto& n : rec->notes) text += "note: " + n + "\n";
        print(rec->to_json(), text);
        // 0 only when the read-back found nothing recover was responsible for; 1 otherwise
        // (one `left:` line each), as `rollback` exits 1 on rollback_failed.
        return rec->clean() ? ExitCode::gate_passed : ExitCode::product_failure;
    }
    if (m_o.verb == "preview" || m_o.verb == "import") {
        if (m_o.pack.empty() || m_o.provider.empty()) {
            m_ctx.err << "crm-accept engine " << m_o.verb << ": --pack and --provider are required\n";
            return ExitCode::usage;
        }
        auto modes = parse_modes(m_o.modes.empty() ? std::vector<std::string>{"self_service,subscription"} : m_o.modes);
        if (!modes) return fail_with(modes.error());
        eng::ImportRequest req{m_o.pack, m_o.provider, *modes,
                               m_o.prefix.empty() ? "crm-" + util::random_hex(3) : m_o.prefix};
        // No owner run: an imported batch is an installed provider, which recover leaves alone.
        if (m_o.verb == "preview") {
            auto plan = engine.preview(*target, req);
            if (!plan) return fail_with(plan.error());
            std::string text = fmt::format("import of {} into {} would create:\n", plan->provider, plan->host_url);
            for (const auto& r : plan->resources) text += fmt::format("  {:<8} {}\n", eng::to_string(r.kind), r.name);
            for (const auto& w : plan->warnings) text += "  warning: " + w + "\n";
            print(plan->to_json(), text);
            return ExitCode::gate_passed;
        }
        auto imp = engine.import(*target, req);
        if (!imp) return fail_with(imp.error());
        print(imp->to_json(), fmt::format("batch {} {} (provider {})\n{}{}", imp->batch_id,
                                          eng::to_string(imp->batch_status), eng::to_string(imp->provider_status),
                                          resources_text(imp->resources),
                                          imp->error.empty() ? "" : "error: " + imp->error + "\n"));
        return imp->batch_status == eng::BatchStatus::succeeded ? ExitCode::gate_passed : ExitCode::product_failure;
    }
    if (m_o.batch == 0) return need_batch();
    if (m_o.verb == "access") {
        auto modes = parse_modes(m_o.modes);
        if (!modes) return fail_with(modes.error());
        if (modes->size() != 1) {
            m_ctx.err << "crm-accept engine access: --mode must name exactly one mode\n";
            return ExitCode::usage;
        }
        eng::AccessOptions opts;
        opts.stream_check = m_o.stream;
        opts.account_test = !m_o.no_account_test;
        if (!m_o.user_email.empty()) {
            auto pw = m_o.user_password_env.empty() ? std::nullopt : m_ctx.env(m_o.user_password_env);
            if (!pw || pw->empty()) {
                m_ctx.err << "crm-accept engine access: --user-email needs --user-password-env naming a set variable\n";
                return ExitCode::usage;
            }
            m_secrets.add(*pw);
            opts.reuse_user = eng::UserCredentials{m_o.user_email, *pw};
        }
        auto acc = engine.close_access(*target, m_o.batch, modes->front(), opts);
        if (!acc) return fail_with(acc.error());
        print(acc->to_json(), fmt::format("batch {} {}: {} (latest {}){}\n", acc->batch_id, eng::to_string(acc->mode),
                                          eng::to_string(acc->access_status), eng::to_string(acc->latest_access_status),
                                          acc->error.empty() ? "" : ": " + acc->error));
        return acc->access_status == eng::ready_status(acc->mode) ? ExitCode::gate_passed : ExitCode::product_failure;
    }
    if (m_o.verb == "rollback") {
        auto rb = engine.rollback(*target, m_o.batch);
        if (!rb) return fail_with(rb.error());
        print(rb->to_json(), fmt::format("batch {} {}: {} read-back checks, {} owned resources remain{}\n", rb->batch_id,
                                          eng::to_string(rb->batch_status), rb->host_checks, rb->remaining.size(),
                                          rb->error.empty() ? "" : "; " + rb->error));
        return rb->batch_status == eng::BatchStatus::rolled_back ? ExitCode::gate_passed : ExitCode::product_failure;
    }
    if (m_o.verb == "reconcile") {
        auto rec = engine.reconcile(*target, m_o.batch);
        if (!rec) return fail_with(rec.error());
        std::string text = fmt::format("batch {} {}: {} owned checked, {} drift, {} residue\n", rec->batch_id, rec->status,
                                       rec->owned_checked, rec->drift.size(), rec->residue.size());
        for (const auto& d : rec->drift)
            text += fmt::format("  drift   {:<8} {} {}: {}\n", eng::to_string(d.kind), d.name, d.issue, d.detail);
        for (const auto& r : rec->residue)
            text += fmt::format("  residue {:<8} {} (id {})\n", eng::to_string(r.kind), r.name, r.host_id);
        print(rec->to_json(), text);
        return rec->status == "in_sync" ? ExitCode::gate_passed : ExitCode::product_failure;
    }
    m_ctx.err << "crm-accept engine: unknown verb " << m_o.verb << "\n";
    return ExitCode::usage;
}

void add_host_options(CLI::App* cmd, EngineOptions& o) {
    cmd->add_option("--host-url", o.host_url, "sub2api host URL, e.g. https://relay.example.com");
    cmd->add_option("--host-name", o.host_name, "Label for the host in the state store");
    cmd->add_option("--admin-key-env", o.admin_key_env, "Variable holding the admin API key (admin-...)")
        ->capture_default_str();
    cmd->add_option("--admin-email", o.admin_email, "Admin login instead of an admin key");
    cmd->add_option("--admin-password-env", o.admin_password_env, "Variable holding the admin password");
    cmd->add_flag("--accept-compliance", o.accept_compliance,
                  "Accept the host's admin compliance commitment (423) on the operator's behalf");
}

}  // namespace

void register_engine(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<EngineOptions>();
    auto* group = app.add_subcommand("engine", "The provisioning engine: import providers, close access, roll back");
    group->require_subcommand(1);
    group->add_option("--db", opts->db, "State database (default $XDG_STATE_HOME/crm-accept/engine.db)");
    group->add_flag("--json", opts->json, "Machine-readable output");

    struct Verb {
        const char* name;
        const char* help;
        bool host;
    };
    const Verb verbs[] = {
        {"host-probe", "Probe the host: health, version, admin auth, compliance, channels, key route", true},
        {"install-pack", "Record a pack and its providers in the state store", false},
        {"preview", "Show the host changes an import would make (no writes)", true},
        {"import", "Import a provider: groups, accounts, channel (a new batch)", true},
        {"access", "Close ordinary-user access for one mode of a batch and check readiness", true},
        {"status", "Show a batch (or every batch) from the state store", false},
        {"rollback", "Delete everything a batch owns and prove it by reading the host back", true},
        {"reconcile", "Compare a batch with the host: owned drift and foreign residue", true},
        {"recover", "After a crash: roll back what a dead run or operation left on the host, then read it back", true},
    };
    for (const auto& v : verbs) {
        auto* cmd = group->add_subcommand(v.name, v.help);
        cmd->add_option("--db", opts->db, "State database");
        cmd->add_flag("--json", opts->json, "Machine-readable output");
        if (v.host) add_host_options(cmd, *opts);
        const std::string name = v.name;
        if (name == "install-pack" || name == "preview" || name == "import" || name == "access") {
            cmd->add_option("--pack-dir", opts->pack_dir, "Directory of pack files")->capture_default_str();
        }
        if (name == "install-pack" || name == "preview" || name == "import") {
            cmd->add_option("--pack", opts->pack, "Pack id");
        }
        if (name == "preview" || name == "import") {
            cmd->add_option("--provider", opts->provider, "Provider name within the pack");
            cmd->add_option("--mode", opts->modes, "self_service and/or subscription (default both)");
            cmd->add_option("--prefix", opts->prefix, "Name prefix for every host resource (default crm-<random>)");
        }
        if (name == "access") {
            cmd->add_option("--mode", opts->modes, "self_service or subscription")->required();
            cmd->add_option("--user-email", opts->user_email, "Reuse this ordinary user instead of creating one");
            cmd->add_option("--user-password-env", opts->user_password_env, "Variable holding that user's password");
            cmd->add_flag("--stream", opts->stream, "Also require the streaming chat smoke");
            cmd->add_flag("--no-account-test", opts->no_account_test, "Skip the per-account test calls");
        }
        if (name == "status" || name == "access" || name == "rollback" || name == "reconcile") {
            auto* b = cmd->add_option("--batch", opts->batch, "Batch id");
            if (name != "status") b->required();
        }
        cmd->callback([opts, &ctx, name] {
            opts->verb = name;
            ctx.action = [opts, &ctx] { return EngineCli(*opts, ctx).run(); };
        });
    }
}

}  // namespace crm::harness
