// `crm-accept engine <verb>`: the provisioning engine's own CLI (docs/ENGINE.md). The verbs are one
// table (k_verbs: name, summary, what each needs, its flags, its handler); `engine --help` lists it
// and a word that is not a verb gets "did you mean" (exit 64).
// This is the composition root for the engine: it reads the environment (state dir, admin key,
// upstream keys, reused user password), opens the state store and the curl transport, and maps
// outcomes to exit codes: 0 success; 1 the engine reports a product failure (batch failed,
// access broken, drift, rollback_failed, recover left something owned on the host); 2 the host
// is unreachable or rejects admin auth; 3 invalid input / unknown provider or batch / missing
// secret / store error / recover refused (host in use, no batch on that --host-url); 64 usage.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"
#include "engine/packs/pack_catalog.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/default_db.hpp"
#include "harness/cli/did_you_mean.hpp"
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
        case util::ErrorCode::host_rejected:
            return ExitCode::environment_blocked;
        case util::ErrorCode::interrupted:
            return ExitCode::interrupted;
        default:
            return ExitCode::harness_error;
    }
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

struct EngineVerb;

// What a verb's handler is given: the state file, the engine over it, the loaded packs (empty
// unless the verb reads packs) and the host (empty unless the verb talks to one).
struct VerbRun {
    const std::string& db;
    eng::StateStore& store;
    const eng::PackCatalog& catalog;
    eng::Engine& engine;
    const eng::HostTarget& target;
};

class EngineCli {
  public:
    using Handler = ExitCode (EngineCli::*)(VerbRun&);

    EngineCli(const EngineOptions& o, CommandContext& ctx) : m_o(o), m_ctx(ctx), m_events(ctx.err, m_secrets) {}

    // Checks the verb's flags, opens the store, loads packs and resolves the host as the verb
    // needs, then calls its handler.
    ExitCode run(const EngineVerb& verb);

    ExitCode status(VerbRun& r);
    ExitCode install_pack(VerbRun& r);
    ExitCode host_probe(VerbRun& r);
    ExitCode recover(VerbRun& r);
    ExitCode preview(VerbRun& r);
    ExitCode import(VerbRun& r);
    ExitCode access(VerbRun& r);
    ExitCode rollback(VerbRun& r);
    ExitCode reconcile(VerbRun& r);

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
                return util::fail(
                    util::ErrorCode::missing_secret,
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

    // --host-url present and http(s); usage otherwise.
    std::optional<ExitCode> check_host_url() {
        if (m_o.host_url.empty()) {
            m_ctx.err << "crm-accept engine " << m_o.verb << ": --host-url is required\n";
            return ExitCode::usage;
        }
        if (!m_o.host_url.starts_with("http://") && !m_o.host_url.starts_with("https://")) {
            m_ctx.err << "crm-accept engine " << m_o.verb << ": --host-url must start with http:// or https:// (got "
                      << m_o.host_url << ")\n";
            return ExitCode::usage;
        }
        return std::nullopt;
    }

    // --pack, --provider and --mode of preview / import as a request; usage or bad input otherwise.
    std::expected<eng::ImportRequest, ExitCode> import_request() {
        if (m_o.pack.empty() || m_o.provider.empty()) {
            m_ctx.err << "crm-accept engine " << m_o.verb << ": --pack and --provider are required\n";
            return std::unexpected(ExitCode::usage);
        }
        auto modes = parse_modes(m_o.modes.empty() ? std::vector<std::string>{"self_service,subscription"} : m_o.modes);
        if (!modes) return std::unexpected(fail_with(modes.error()));
        // No owner run: an imported batch is an installed provider, which recover leaves alone.
        return eng::ImportRequest{m_o.pack, m_o.provider, *modes,
                                  m_o.prefix.empty() ? "crm-" + util::random_hex(3) : m_o.prefix};
    }

    ExitCode fail_with(const util::Error& e) {
        m_ctx.err << "crm-accept engine " << m_o.verb << ": " << m_secrets.scrub(e.describe()) << "\n";
        return exit_for(e);
    }

    void print(const json::value& v, const std::string& human) {
        if (m_o.json)
            m_ctx.out << m_secrets.scrub(util::pretty(v));
        else
            m_ctx.out << m_secrets.scrub(human);
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

enum class BatchFlag { none, optional, required };

// One row of the verb table: its name, the one line `crm-accept engine --help` shows, what it
// needs before its handler runs, and its own flags.
struct EngineVerb {
    std::string_view name;
    std::string_view summary;
    bool host;                                   // talks to the host: --host-url and admin credentials
    bool packs;                                  // reads --pack-dir
    BatchFlag batch;                             // --batch
    void (*options)(CLI::App*, EngineOptions&);  // the verb's other flags, or nullptr
    EngineCli::Handler handler;
};

std::string resources_text(const std::vector<eng::ResourceView>& rs) {
    std::string out;
    for (const auto& r : rs) {
        out += fmt::format("  {:<12} {:<40} {:<13} {}\n", eng::to_string(r.kind), r.name, eng::to_string(r.state),
                           r.host_id ? std::to_string(*r.host_id) : "-");
    }
    return out;
}

ExitCode EngineCli::run(const EngineVerb& verb) {
    const std::string db = m_o.db.empty() ? default_db(m_ctx.env) : m_o.db;
    // status only reads: a mistyped --db must not quietly create an empty database.
    if (verb.handler == &EngineCli::status && !std::filesystem::exists(db)) {
        m_ctx.err << "crm-accept engine status: no state database at " << db << " (check --db)\n";
        return ExitCode::harness_error;
    }
    if (verb.host) {
        if (auto bad = check_host_url()) return *bad;
    }
    auto store = eng::StateStore::open(db);
    if (!store) return fail_with(store.error());
    auto catalog = eng::PackCatalog{};
    if (verb.packs) {
        auto loaded = eng::load_pack_dir(m_o.pack_dir, m_ctx.env);
        if (!loaded) return fail_with(loaded.error());
        catalog = std::move(*loaded);
    }
    auto http = probes::make_curl_transport();
    eng::Engine engine(eng::EngineDeps{
        *store, *http, m_secrets, m_ctx.env, catalog, m_o.json ? nullptr : &m_events, {}, eng::filesystem_reader()});
    eng::HostTarget target;
    if (verb.host) {
        auto resolved = host();
        if (!resolved) return fail_with(resolved.error());
        target = std::move(*resolved);
    }
    if (verb.batch == BatchFlag::required && m_o.batch == 0) return need_batch();
    VerbRun r{db, *store, catalog, engine, target};
    return (this->*verb.handler)(r);
}

ExitCode EngineCli::status(VerbRun& r) {
    if (m_o.batch == 0) {
        auto batches = r.store.batches();
        if (!batches) return fail_with(batches.error());
        json::array arr;
        std::string text;
        for (const auto& b : *batches) {
            auto rep = r.engine.status(b.id);
            if (!rep) return fail_with(rep.error());
            arr.push_back(rep->to_json());
            text += fmt::format("batch {:<5} {:<16} {:<24} {:<10} {:<16} {}\n", b.id, eng::to_string(b.status),
                                rep->provider, b.name_prefix, eng::to_string(rep->provider_status),
                                eng::to_string(rep->latest_access_status));
        }
        print(json::object{{"schema_version", 1}, {"database", r.db}, {"batches", std::move(arr)}},
              text.empty() ? "no batches in " + r.db + "\n" : text);
        return ExitCode::gate_passed;
    }
    auto rep = r.engine.status(m_o.batch);
    if (!rep) return fail_with(rep.error());
    std::string access;
    for (const auto& [m, s] : rep->access) access += fmt::format(" {}={}", eng::to_string(m), eng::to_string(s));
    print(rep->to_json(), fmt::format("batch {} {} ({}), provider {} {}, access:{} -> {}\n{}", rep->batch_id,
                                      eng::to_string(rep->batch_status), rep->provider, rep->host_url,
                                      eng::to_string(rep->provider_status), access,
                                      eng::to_string(rep->latest_access_status), resources_text(rep->resources)));
    return ExitCode::gate_passed;
}

ExitCode EngineCli::install_pack(VerbRun& r) {
    if (m_o.pack.empty()) {
        m_ctx.err << "crm-accept engine install-pack: --pack ID is required\n";
        return ExitCode::usage;
    }
    if (auto done = r.engine.install_pack(m_o.pack); !done) return fail_with(done.error());
    const auto* p = r.catalog.find_pack(m_o.pack);
    print(json::object{{"schema_version", 1},
                       {"pack", m_o.pack},
                       {"version", p ? p->version : ""},
                       {"providers", p ? p->providers.size() : 0}},
          fmt::format("installed pack {} {} ({} providers)\n", m_o.pack, p ? p->version : "",
                      p ? p->providers.size() : 0));
    return ExitCode::gate_passed;
}

ExitCode EngineCli::host_probe(VerbRun& r) {
    auto caps = r.engine.probe_host(r.target);
    if (!caps) return fail_with(caps.error());
    print(caps->to_json(),
          fmt::format("host {} version {}: admin auth {}, compliance {}, channels {}, key route {}\n", caps->base_url,
                      caps->version, caps->admin_auth_ok ? "ok" : "FAILED " + caps->admin_auth_error,
                      probes::sub2api::to_string(caps->compliance), caps->channels_supported ? "yes" : "no",
                      probes::sub2api::to_string(caps->key_route)));
    return caps->admin_auth_ok && caps->reachable ? ExitCode::gate_passed : ExitCode::environment_blocked;
}

ExitCode EngineCli::recover(VerbRun& r) {
    auto rec = r.engine.recover(r.target);
    if (!rec) return fail_with(rec.error());
    std::string text = fmt::format(
        "{} intents resolved ({} found on the host), {} batches rolled back, {} "
        "installed kept, {} owned left on the host\n",
        rec->intents_resolved, rec->intents_found_on_host, rec->batches_rolled_back.size(), rec->batches_kept.size(),
        rec->remaining.size());
    for (const auto& l : rec->remaining) text += "left: " + l.line() + "\n";
    for (const auto& n : rec->notes) text += "note: " + n + "\n";
    print(rec->to_json(), text);
    // 0 only when the read-back found nothing recover was responsible for; 1 otherwise
    // (one `left:` line each), as `rollback` exits 1 on rollback_failed.
    return rec->clean() ? ExitCode::gate_passed : ExitCode::product_failure;
}

ExitCode EngineCli::preview(VerbRun& r) {
    auto req = import_request();
    if (!req) return req.error();
    auto plan = r.engine.preview(r.target, *req);
    if (!plan) return fail_with(plan.error());
    std::string text = fmt::format("import of {} into {} would create:\n", plan->provider, plan->host_url);
    for (const auto& res : plan->resources) text += fmt::format("  {:<8} {}\n", eng::to_string(res.kind), res.name);
    for (const auto& w : plan->warnings) text += "  warning: " + w + "\n";
    print(plan->to_json(), text);
    return ExitCode::gate_passed;
}

ExitCode EngineCli::import(VerbRun& r) {
    auto req = import_request();
    if (!req) return req.error();
    auto imp = r.engine.import(r.target, *req);
    if (!imp) return fail_with(imp.error());
    print(imp->to_json(),
          fmt::format("batch {} {} (provider {})\n{}{}", imp->batch_id, eng::to_string(imp->batch_status),
                      eng::to_string(imp->provider_status), resources_text(imp->resources),
                      imp->error.empty() ? "" : "error: " + imp->error + "\n"));
    return imp->batch_status == eng::BatchStatus::succeeded ? ExitCode::gate_passed : ExitCode::product_failure;
}

ExitCode EngineCli::access(VerbRun& r) {
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
    auto acc = r.engine.close_access(r.target, m_o.batch, modes->front(), opts);
    if (!acc) return fail_with(acc.error());
    print(acc->to_json(), fmt::format("batch {} {}: {} (latest {}){}\n", acc->batch_id, eng::to_string(acc->mode),
                                      eng::to_string(acc->access_status), eng::to_string(acc->latest_access_status),
                                      acc->error.empty() ? "" : ": " + acc->error));
    return acc->access_status == eng::ready_status(acc->mode) ? ExitCode::gate_passed : ExitCode::product_failure;
}

ExitCode EngineCli::rollback(VerbRun& r) {
    auto rb = r.engine.rollback(r.target, m_o.batch);
    if (!rb) return fail_with(rb.error());
    print(rb->to_json(), fmt::format("batch {} {}: {} read-back checks, {} owned resources remain{}\n", rb->batch_id,
                                     eng::to_string(rb->batch_status), rb->host_checks, rb->remaining.size(),
                                     rb->error.empty() ? "" : "; " + rb->error));
    return rb->batch_status == eng::BatchStatus::rolled_back ? ExitCode::gate_passed : ExitCode::product_failure;
}

ExitCode EngineCli::reconcile(VerbRun& r) {
    auto rec = r.engine.reconcile(r.target, m_o.batch);
    if (!rec) return fail_with(rec.error());
    std::string text = fmt::format("batch {} {}: {} owned checked, {} drift, {} residue\n", rec->batch_id, rec->status,
                                   rec->owned_checked, rec->drift.size(), rec->residue.size());
    for (const auto& d : rec->drift)
        text += fmt::format("  drift   {:<8} {} {}: {}\n", eng::to_string(d.kind), d.name, d.issue, d.detail);
    for (const auto& res : rec->residue)
        text += fmt::format("  residue {:<8} {} (id {})\n", eng::to_string(res.kind), res.name, res.host_id);
    print(rec->to_json(), text);
    return rec->status == "in_sync" ? ExitCode::gate_passed : ExitCode::product_failure;
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

void add_pack_option(CLI::App* cmd, EngineOptions& o) { cmd->add_option("--pack", o.pack, "Pack id"); }

void add_import_options(CLI::App* cmd, EngineOptions& o) {
    add_pack_option(cmd, o);
    cmd->add_option("--provider", o.provider, "Provider name within the pack");
    cmd->add_option("--mode", o.modes, "self_service and/or subscription (default both)");
    cmd->add_option("--prefix", o.prefix, "Name prefix for every host resource (default crm-<random>)");
}

void add_access_options(CLI::App* cmd, EngineOptions& o) {
    cmd->add_option("--mode", o.modes, "self_service or subscription")->required();
    cmd->add_option("--user-email", o.user_email, "Reuse this ordinary user instead of creating one");
    cmd->add_option("--user-password-env", o.user_password_env, "Variable holding that user's password");
    cmd->add_flag("--stream", o.stream, "Also require the streaming chat smoke");
    cmd->add_flag("--no-account-test", o.no_account_test, "Skip the per-account test calls");
}

using enum BatchFlag;
constexpr EngineVerb k_verbs[] = {
    {"host-probe", "Probe the host: health, version, admin auth, compliance, channels, key route", true, false, none,
     nullptr, &EngineCli::host_probe},
    {"install-pack", "Record a pack and its providers in the state store", false, true, none, add_pack_option,
     &EngineCli::install_pack},
    {"preview", "Show the host changes an import would make (no writes)", true, true, none, add_import_options,
     &EngineCli::preview},
    {"import", "Import a provider: groups, accounts, channel (a new batch)", true, true, none, add_import_options,
     &EngineCli::import},
    {"access", "Close ordinary-user access for one mode of a batch and check readiness", true, true, required,
     add_access_options, &EngineCli::access},
    {"status", "Show a batch (or every batch) from the state store", false, false, optional, nullptr,
     &EngineCli::status},
    {"rollback", "Delete everything a batch owns and prove it by reading the host back", true, false, required, nullptr,
     &EngineCli::rollback},
    {"reconcile", "Compare a batch with the host: owned drift and foreign residue", true, false, required, nullptr,
     &EngineCli::reconcile},
    {"recover", "After a crash: roll back what a dead run or operation left on the host, then read it back", true,
     false, none, nullptr, &EngineCli::recover},
};

// `word` is what stood where a verb belongs: nothing, an unknown flag or an unknown verb.
ExitCode not_a_verb(std::ostream& err, const std::string& word) {
    std::vector<std::string> names;
    for (const auto& v : k_verbs) names.emplace_back(v.name);
    if (word.empty()) {
        err << fmt::format("crm-accept engine: a verb is required ({}; see crm-accept engine --help)\n",
                           fmt::join(names, ", "));
    } else if (word.starts_with('-')) {
        err << fmt::format("crm-accept engine: unknown option {} (see crm-accept engine --help)\n", word);
    } else if (auto near = cli::did_you_mean(word, names)) {
        err << fmt::format("crm-accept engine: unknown verb \"{}\" (did you mean \"{}\"?)\n", word, *near);
    } else {
        err << fmt::format("crm-accept engine: unknown verb \"{}\" (verbs: {}; see crm-accept engine --help)\n", word,
                           fmt::join(names, ", "));
    }
    return ExitCode::usage;
}

}  // namespace

void register_engine(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<EngineOptions>();
    auto* group = app.add_subcommand("engine", "The provisioning engine: import providers, close access, roll back");
    group->add_option("--db", opts->db, "State database (default $XDG_STATE_HOME/crm-accept/engine.db)");
    group->add_flag("--json", opts->json, "Machine-readable output");
    for (const auto& v : k_verbs) {
        auto* cmd = group->add_subcommand(std::string(v.name), std::string(v.summary));
        cmd->add_option("--db", opts->db, "State database");
        cmd->add_flag("--json", opts->json, "Machine-readable output");
        if (v.host) add_host_options(cmd, *opts);
        if (v.packs) cmd->add_option("--pack-dir", opts->pack_dir, "Directory of pack files")->capture_default_str();
        if (v.options) v.options(cmd, *opts);
        if (v.batch != BatchFlag::none) {
            auto* b = cmd->add_option("--batch", opts->batch, "Batch id");
            if (v.batch == BatchFlag::required) b->required();
        }
        cmd->callback([opts, &ctx, &v] {
            opts->verb = std::string(v.name);
            ctx.action = [opts, &ctx, &v] { return EngineCli(*opts, ctx).run(v); };
        });
    }
    // Set after the verbs so they do not inherit it (a verb still refuses an unknown flag): the
    // first word that is not a verb, and all after it, are kept for the message below.
    group->prefix_command();
    group->callback([group, &ctx] {
        auto rest = group->remaining();
        if (rest.empty() && !group->get_subcommands().empty()) return;
        ctx.action = [&ctx, word = rest.empty() ? std::string() : rest.front()] { return not_a_verb(ctx.err, word); };
    });
}

}  // namespace crm::harness
