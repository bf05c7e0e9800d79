#include "harness/scenario/scenario_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <set>

#include "harness/classify/cause.hpp"
#include "harness/scenario/json_line_map.hpp"
#include "util/duration.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"
#include "util/sha256.hpp"

namespace crm::harness::scenario {

namespace json = util::json;
using util::Error;
using util::ErrorCode;
using util::Result;

const char* to_string(HostKind k) noexcept { return k == HostKind::stub ? "stub" : "real"; }

const char* to_string(EngineVia v) noexcept { return v == EngineVia::in_process ? "in_process" : "serve"; }

const char* to_string(Mode m) noexcept { return m == Mode::self_service ? "self_service" : "subscription"; }

std::optional<Mode> parse_mode(std::string_view s) noexcept {
    if (s == "self_service") return Mode::self_service;
    if (s == "subscription") return Mode::subscription;
    return std::nullopt;
}

namespace {

// The variable a raw value names when it is exactly `${NAME}` or `${NAME:-default}`, else "".
// It lets a run print an engine command that reads the same secret from the same variable.
std::string variable_named(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return {};
    std::string_view s = v->get_string();
    if (!s.starts_with("${") || !s.ends_with("}")) return {};
    s = s.substr(2, s.size() - 3);
    s = s.substr(0, s.find(":-"));
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return {};
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return {};
    }
    return std::string(s);
}

// Carries the file name and line map so every check can fail with `file:line: field: reason`.
class Ctx {
  public:
    Ctx(std::string_view source, std::string_view text, const util::EnvLookup& env)
        : m_source(source), m_lines(JsonLineMap::build(text)), m_env(env) {}

    [[nodiscard]] Error error(std::string_view path, std::string_view reason) const {
        return Error{
            ErrorCode::invalid_input,
            fmt::format("{}:{}: {}: {}", m_source, m_lines.line_of(path), path.empty() ? "(document)" : path, reason),
            {},
            0,
            {}};
    }
    [[nodiscard]] std::size_t line(std::string_view path) const { return m_lines.line_of(path); }

    // Object at `path` with only `allowed` keys.
    [[nodiscard]] Result<const json::object*> object(const json::value& v, std::string_view path,
                                                     std::initializer_list<std::string_view> allowed) const {
        if (!v.is_object()) return std::unexpected(error(path, "must be an object"));
        const auto& o = v.get_object();
        for (const auto& kv : o) {
            if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
                std::string names;
                for (auto a : allowed) {
                    if (!names.empty()) names += ", ";
                    names += a;
                }
                return std::unexpected(
                    error(child_path(path, kv.key()), fmt::format("unknown key (expected one of: {})", names)));
            }
        }
        return &o;
    }

    [[nodiscard]] Result<std::optional<std::string>> opt_string(const json::object& o, std::string_view path,
                                                                std::string_view key, bool expand = false) const {
        const auto* v = o.if_contains(key);
        auto p = child_path(path, key);
        if (!v) return std::optional<std::string>{};
        if (!v->is_string()) return std::unexpected(error(p, "must be a string"));
        std::string s(v->get_string());
        if (expand) {
            auto where = fmt::format("{}:{}: {}", m_source, line(p), p);
            CRM_TRY(ex, util::expand_env(s, m_env, where));
            s = ex;
        }
        return std::optional<std::string>{std::move(s)};
    }

    [[nodiscard]] Result<std::string> req_string(const json::object& o, std::string_view path, std::string_view key,
                                                 bool expand = false) const {
        auto s = opt_string(o, path, key, expand);
        if (!s) return std::unexpected(s.error());
        if (!*s) return std::unexpected(error(child_path(path, key), "is required"));
        if ((*s)->empty()) return std::unexpected(error(child_path(path, key), "must not be empty"));
        return **s;
    }

    [[nodiscard]] Result<std::optional<bool>> opt_bool(const json::object& o, std::string_view path,
                                                       std::string_view key) const {
        const auto* v = o.if_contains(key);
        if (!v) return std::optional<bool>{};
        if (!v->is_bool()) return std::unexpected(error(child_path(path, key), "must be true or false"));
        return std::optional<bool>{v->get_bool()};
    }

    [[nodiscard]] Result<std::optional<std::int64_t>> opt_int(const json::object& o, std::string_view path,
                                                              std::string_view key, std::int64_t lo,
                                                              std::int64_t hi) const {
        const auto* v = o.if_contains(key);
        if (!v) return std::optional<std::int64_t>{};
        auto p = child_path(path, key);
        std::optional<std::int64_t> n;
        if (v->is_int64()) n = v->get_int64();
        if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(hi))
            n = static_cast<std::int64_t>(v->get_uint64());
        if (!n) return std::unexpected(error(p, "must be an integer"));
        if (*n < lo || *n > hi) return std::unexpected(error(p, fmt::format("must be between {} and {}", lo, hi)));
        return n;
    }

    const std::string& source() const { return m_source; }

  private:
    std::string m_source;
    JsonLineMap m_lines;
    const util::EnvLookup& m_env;
};

Result<std::chrono::seconds> parse_age(const Ctx& ctx, const json::value& v, std::string_view path) {
    if (v.is_int64() && v.get_int64() > 0) return std::chrono::seconds(v.get_int64());
    if (!v.is_string())
        return std::unexpected(ctx.error(path, "must be a duration like \"24h\", \"30m\", \"7d\" or seconds"));
    std::string s(v.get_string());
    if (s.size() < 2) return std::unexpected(ctx.error(path, "must be a duration like \"24h\""));
    if (auto d = util::parse_duration(s)) return *d;
    return std::unexpected(ctx.error(path, fmt::format("bad duration \"{}\" (use e.g. 24h, 30m, 7d, 90s)", s)));
}

Result<HostSpec> parse_host(const Ctx& ctx, const json::value& v, std::string_view path) {
    CRM_TRY(o, ctx.object(v, path,
                          {"name", "kind", "profile", "fork_admin_key_route", "url", "admin_api_key", "admin_email",
                           "admin_password", "accept_compliance", "user"}));
    HostSpec h;
    h.line = ctx.line(path);
    h.profile_line = ctx.line(child_path(path, "profile"));
    CRM_TRY(kind, ctx.req_string(*o, path, "kind"));
    // Compared as string_view: GCC 12 sees a false maybe-uninitialized in string == const char*.
    if (std::string_view(kind) == "stub") {
        h.kind = HostKind::stub;
    } else if (std::string_view(kind) == "real") {
        h.kind = HostKind::real;
    } else {
        return std::unexpected(
            ctx.error(child_path(path, "kind"), fmt::format("unknown host kind \"{}\" (expected stub or real)", kind)));
    }
    CRM_TRY(name, ctx.opt_string(*o, path, "name"));
    if (name) {
        if (name->empty() || name->find_first_of("/\\ .") != std::string::npos)
            return std::unexpected(
                ctx.error(child_path(path, "name"), "must be a non-empty name without spaces, dots or slashes"));
        h.name = *name;
    }
    if (h.kind == HostKind::stub) {
        for (auto k : {"url", "admin_api_key", "admin_email", "admin_password", "user"}) {
            if (o->contains(k))
                return std::unexpected(ctx.error(child_path(path, k), "only allowed for kind \"real\""));
        }
        CRM_TRY(profile, ctx.opt_string(*o, path, "profile"));
        if (profile) {
            if (profile->empty()) return std::unexpected(ctx.error(child_path(path, "profile"), "must not be empty"));
            h.profile = *profile;
        }
        CRM_TRY(fork, ctx.opt_bool(*o, path, "fork_admin_key_route"));
        h.fork_admin_key_route = fork.value_or(false);
        CRM_TRY(accept_stub, ctx.opt_bool(*o, path, "accept_compliance"));
        h.accept_compliance = accept_stub.value_or(false);
        return h;
    }
    for (auto k : {"profile", "fork_admin_key_route"}) {
        if (o->contains(k)) return std::unexpected(ctx.error(child_path(path, k), "only allowed for kind \"stub\""));
    }
    h.profile.clear();
    CRM_TRY(url, ctx.req_string(*o, path, "url", true));
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        return std::unexpected(ctx.error(child_path(path, "url"), "must start with http:// or https://"));
    // A URL's userinfo would be printed, recorded in 00-run.json and sent to every probe as it
    // is: credentials belong in the fields that are registered as secrets. The value itself is
    // never echoed back.
    const auto authority = std::string_view(url).substr(url.find("://") + 3);
    if (authority.substr(0, authority.find_first_of("/?#")).find('@') != std::string_view::npos)
        return std::unexpected(ctx.error(child_path(path, "url"),
                                         "must not carry credentials (user:password@host); use admin_api_key, "
                                         "or admin_email and admin_password"));
    while (!url.empty() && url.back() == '/') url.pop_back();
    h.url = url;
    // Credentials: an admin key is preferred; email + password otherwise. Only the ones present
    // are expanded, so an unset ${ADMIN_PASSWORD} does not matter when a key is given.
    CRM_TRY(key, ctx.opt_string(*o, path, "admin_api_key", true));
    CRM_TRY(email, ctx.opt_string(*o, path, "admin_email", true));
    CRM_TRY(password, ctx.opt_string(*o, path, "admin_password", true));
    h.admin_api_key = key.value_or("");
    h.admin_email = email.value_or("");
    h.admin_password = password.value_or("");
    h.admin_api_key_env = variable_named(*o, "admin_api_key");
    h.admin_password_env = variable_named(*o, "admin_password");
    if (h.admin_api_key.empty() && (h.admin_email.empty() || h.admin_password.empty()))
        return std::unexpected(ctx.error(path, "needs admin_api_key, or admin_email and admin_password"));
    CRM_TRY(accept, ctx.opt_bool(*o, path, "accept_compliance"));
    h.accept_compliance = accept.value_or(false);
    if (const auto* u = o->if_contains("user")) {
        auto up = child_path(path, "user");
        CRM_TRY(uo, ctx.object(*u, up, {"email", "password"}));
        CRM_TRY(ue, ctx.req_string(*uo, up, "email", true));
        CRM_TRY(upw, ctx.req_string(*uo, up, "password", true));
        h.reuse_user = UserSpec{ue, upw};
    }
    return h;
}

Result<classify::Cause> parse_cause_name(const Ctx& ctx, const json::value& v, std::string_view path) {
    if (!v.is_string()) return std::unexpected(ctx.error(path, "must be a cause name (string)"));
    std::string_view name = v.get_string();
    auto cause = classify::parse_cause(name);
    if (!cause) return std::unexpected(ctx.error(path, fmt::format("unknown cause \"{}\"", name)));
    return *cause;
}

Result<ProviderSpec> parse_provider(const Ctx& ctx, const json::value& v, std::string_view path,
                                    const std::vector<Mode>& modes) {
    CRM_TRY(o, ctx.object(v, path, {"pack", "provider", "profile", "expect"}));
    ProviderSpec p;
    p.line = ctx.line(path);
    p.pack_line = ctx.line(child_path(path, "pack"));
    p.provider_line = ctx.line(child_path(path, "provider"));
    p.profile_line = ctx.line(child_path(path, "profile"));
    CRM_TRY(pack, ctx.req_string(*o, path, "pack"));
    CRM_TRY(provider, ctx.req_string(*o, path, "provider"));
    if (provider.find_first_of("/\\ ") != std::string::npos)
        return std::unexpected(ctx.error(child_path(path, "provider"), "must not contain spaces or slashes"));
    CRM_TRY(profile, ctx.opt_string(*o, path, "profile"));
    p.pack = pack;
    p.provider = provider;
    p.profile = profile.value_or("");
    if (const auto* e = o->if_contains("expect")) {
        auto ep = child_path(path, "expect");
        if (e->is_string()) {
            CRM_TRY(cause, parse_cause_name(ctx, *e, ep));
            for (auto m : modes) p.expect[m] = cause;
        } else if (e->is_object()) {
            for (const auto& kv : e->get_object()) {
                auto mp = child_path(ep, kv.key());
                auto mode = parse_mode(kv.key());
                if (!mode)
                    return std::unexpected(ctx.error(mp, "unknown mode (expected self_service or subscription)"));
                if (std::find(modes.begin(), modes.end(), *mode) == modes.end())
                    return std::unexpected(ctx.error(mp, "mode is not in matrix.modes"));
                CRM_TRY(cause, parse_cause_name(ctx, kv.value(), mp));
                p.expect[*mode] = cause;
            }
        } else {
            return std::unexpected(ctx.error(ep, "must be a cause name or an object {mode: cause}"));
        }
    }
    return p;
}

Result<void> parse_matrix(const Ctx& ctx, const json::value& v, Scenario& s) {
    const std::string path = "matrix";
    CRM_TRY(o, ctx.object(v, path, {"modes", "providers", "hosts"}));
    const auto* modes = o->if_contains("modes");
    if (!modes) return std::unexpected(ctx.error("matrix.modes", "is required"));
    if (!modes->is_array() || modes->get_array().empty())
        return std::unexpected(ctx.error("matrix.modes", "must be a non-empty array of modes"));
    for (std::size_t i = 0; i < modes->get_array().size(); ++i) {
        const auto& m = modes->get_array()[i];
        auto mp = element_path("matrix.modes", i);
        auto mode = m.is_string() ? parse_mode(m.get_string()) : std::nullopt;
        if (!mode) return std::unexpected(ctx.error(mp, "must be \"self_service\" or \"subscription\""));
        if (std::find(s.modes.begin(), s.modes.end(), *mode) != s.modes.end())
            return std::unexpected(ctx.error(mp, "duplicate mode"));
        s.modes.push_back(*mode);
    }
    const auto* providers = o->if_contains("providers");
    if (!providers) return std::unexpected(ctx.error("matrix.providers", "is required"));
    if (!providers->is_array() || providers->get_array().empty())
        return std::unexpected(ctx.error("matrix.providers", "must be a non-empty array"));
    std::set<std::string> names;
    for (std::size_t i = 0; i < providers->get_array().size(); ++i) {
        auto pp = element_path("matrix.providers", i);
        CRM_TRY(p, parse_provider(ctx, providers->get_array()[i], pp, s.modes));
        if (!names.insert(p.provider).second)
            return std::unexpected(
                ctx.error(child_path(pp, "provider"),
                          fmt::format("duplicate provider \"{}\" (cell folders are <mode>__<provider>)", p.provider)));
        s.providers.push_back(std::move(p));
    }
    if (const auto* hosts = o->if_contains("hosts")) {
        if (!hosts->is_array() || hosts->get_array().empty())
            return std::unexpected(ctx.error("matrix.hosts", "must be a non-empty array of hosts"));
        std::set<std::string> host_names;
        for (std::size_t i = 0; i < hosts->get_array().size(); ++i) {
            auto hp = element_path("matrix.hosts", i);
            const auto& hv = hosts->get_array()[i];
            if (!hv.is_object() || !hv.get_object().contains("name"))
                return std::unexpected(ctx.error(hp, "each host of a hosts axis needs a \"name\""));
            CRM_TRY(h, parse_host(ctx, hv, hp));
            if (!host_names.insert(h.name).second)
                return std::unexpected(ctx.error(child_path(hp, "name"), "duplicate host name"));
            s.hosts.push_back(std::move(h));
        }
        s.hosts_axis = true;
    }
    return {};
}

bool is_variable_name(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Result<EngineSpec> parse_engine(const Ctx& ctx, const json::value& v, const std::filesystem::path& base) {
    CRM_TRY(o, ctx.object(v, "engine", {"via", "url", "token_env", "state_file"}));
    EngineSpec e;
    e.line = ctx.line("engine");
    CRM_TRY(via, ctx.opt_string(*o, "engine", "via"));
    if (via && *via == "serve") {
        e.via = EngineVia::serve;
    } else if (via && *via != "in_process") {
        return std::unexpected(
            ctx.error("engine.via", fmt::format("unknown value \"{}\" (expected in_process or serve)", *via)));
    }
    if (e.via == EngineVia::in_process) {
        for (auto k : {"url", "token_env", "state_file"}) {
            if (o->contains(k))
                return std::unexpected(ctx.error(child_path("engine", k), "only allowed with via \"serve\""));
        }
        return e;
    }
    CRM_TRY(url, ctx.opt_string(*o, "engine", "url", true));
    CRM_TRY(token_env, ctx.opt_string(*o, "engine", "token_env"));
    CRM_TRY(state_file, ctx.opt_string(*o, "engine", "state_file", true));
    if (url) {
        if (!url->starts_with("http://") && !url->starts_with("https://"))
            return std::unexpected(ctx.error("engine.url", "must start with http:// or https://"));
        while (!url->empty() && url->back() == '/') url->pop_back();
        e.url = *url;
        // The probes need the ordinary user's API key, which the API never returns: the run reads
        // it from the server's own state file, on this machine.
        if (!state_file || state_file->empty())
            return std::unexpected(
                ctx.error("engine", "url needs state_file (the state file that control plane uses, on this machine)"));
        std::filesystem::path sp(*state_file);
        e.state_file = (sp.is_absolute() ? sp : base / sp).lexically_normal().string();
    } else if (state_file) {
        return std::unexpected(ctx.error(
            "engine.state_file", "only allowed with url (a run's own control plane uses the run's state file)"));
    }
    if (token_env) {
        if (!is_variable_name(*token_env))
            return std::unexpected(ctx.error("engine.token_env", "must be an environment variable name"));
        e.token_env = *token_env;
    }
    return e;
}

Result<void> parse_gate(const Ctx& ctx, const json::value& v, const std::filesystem::path& base, Scenario& s) {
    CRM_TRY(o, ctx.object(v, "gate", {"blocking_causes", "max_evidence_age", "baseline"}));
    if (const auto* b = o->if_contains("blocking_causes")) {
        if (!b->is_array())
            return std::unexpected(ctx.error("gate.blocking_causes", "must be an array of cause names"));
        std::vector<classify::Cause> causes;
        for (std::size_t i = 0; i < b->get_array().size(); ++i) {
            CRM_TRY(c, parse_cause_name(ctx, b->get_array()[i], element_path("gate.blocking_causes", i)));
            causes.push_back(c);
        }
        s.gate.blocking_causes = std::move(causes);
    }
    if (const auto* a = o->if_contains("max_evidence_age")) {
        CRM_TRY(age, parse_age(ctx, *a, "gate.max_evidence_age"));
        s.gate.max_evidence_age = age;
    }
    CRM_TRY(baseline, ctx.opt_string(*o, "gate", "baseline", true));
    if (baseline && !baseline->empty()) {
        std::filesystem::path bp(*baseline);
        s.gate.baseline = (bp.is_absolute() ? bp : base / bp).lexically_normal().string();
    }
    return {};
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, std::string_view source, const std::filesystem::path& base_dir,
                                const util::EnvLookup& env) {
    auto parsed = util::parse_json_relaxed(text, source);
    if (!parsed) {
        // util reports "source:line:col: invalid JSON: reason"; keep the one-line shape.
        const std::string& m = parsed.error().message;
        std::string rest = m.substr(std::min(m.size(), source.size() + 1));
        auto c1 = rest.find(':');
        auto c2 = c1 == std::string::npos ? std::string::npos : rest.find(':', c1 + 1);
        if (c2 != std::string::npos) {
            std::string line = rest.substr(0, c1);
            std::string col = rest.substr(c1 + 1, c2 - c1 - 1);
            std::string reason = rest.substr(c2 + 1);
            if (!reason.empty() && reason.front() == ' ') reason.erase(0, 1);
            return util::fail(ErrorCode::invalid_input,
                              fmt::format("{}:{}: (document): {} at column {}", source, line, reason, col));
        }
        return std::unexpected(parsed.error());
    }
    Ctx ctx(source, text, env);
    const json::value& root = *parsed;
    CRM_TRY(o, ctx.object(root, "",
                          {"schema_version", "name", "label", "description", "packs_dir", "host", "matrix", "steps",
                           "timeouts", "gate", "engine"}));
    Scenario s;
    s.source_path = std::string(source);
    if (const auto* sv = o->if_contains("schema_version")) {
        if (!sv->is_int64() || sv->get_int64() != 1)
            return std::unexpected(ctx.error("schema_version", "unsupported schema version (this build reads 1)"));
    }
    CRM_TRY(name, ctx.req_string(*o, "", "name"));
    if (name.find_first_of("/\\ ") != std::string::npos)
        return std::unexpected(ctx.error("name", "must not contain spaces or slashes (it names the bundle)"));
    s.name = name;
    CRM_TRY(label, ctx.opt_string(*o, "", "label", true));
    s.label = label.value_or("");
    if (const auto* d = o->if_contains("description"); d && !d->is_string())
        return std::unexpected(ctx.error("description", "must be a string"));
    CRM_TRY(packs, ctx.opt_string(*o, "", "packs_dir", true));
    {
        std::filesystem::path pd(packs.value_or("../packs"));
        s.packs_dir = (pd.is_absolute() ? pd : base_dir / pd).lexically_normal().string();
    }
    const auto* matrix = o->if_contains("matrix");
    if (!matrix) return std::unexpected(ctx.error("matrix", "is required"));
    CRM_TRY_VOID(parse_matrix(ctx, *matrix, s));
    if (const auto* h = o->if_contains("host")) {
        if (s.hosts_axis) return std::unexpected(ctx.error("host", "use either host or matrix.hosts, not both"));
        CRM_TRY(host, parse_host(ctx, *h, "host"));
        s.hosts.push_back(std::move(host));
    } else if (!s.hosts_axis) {
        return std::unexpected(ctx.error("host", "is required (or a matrix.hosts axis)"));
    }
    // Expectations need a stub or a real host alike; per-provider profiles only make sense
    // against stubs.
    bool any_stub =
        std::any_of(s.hosts.begin(), s.hosts.end(), [](const HostSpec& h) { return h.kind == HostKind::stub; });
    if (!any_stub) {
        for (std::size_t i = 0; i < s.providers.size(); ++i) {
            if (!s.providers[i].profile.empty())
                return std::unexpected(ctx.error(child_path(element_path("matrix.providers", i), "profile"),
                                                 "profiles apply to stub hosts only"));
        }
    }
    if (const auto* st = o->if_contains("steps")) {
        CRM_TRY(so, ctx.object(*st, "steps", {"upstream_probes", "stream_smoke", "reconcile", "rollback"}));
        CRM_TRY(a, ctx.opt_bool(*so, "steps", "upstream_probes"));
        CRM_TRY(b, ctx.opt_bool(*so, "steps", "stream_smoke"));
        CRM_TRY(c, ctx.opt_bool(*so, "steps", "reconcile"));
        CRM_TRY(d, ctx.opt_bool(*so, "steps", "rollback"));
        s.steps.upstream_probes = a.value_or(true);
        s.steps.stream_smoke = b.value_or(true);
        s.steps.reconcile = c.value_or(true);
        s.steps.rollback = d.value_or(true);
    }
    if (const auto* t = o->if_contains("timeouts")) {
        CRM_TRY(to, ctx.object(*t, "timeouts", {"connect_ms", "total_ms", "idle_ms", "retries"}));
        CRM_TRY(connect, ctx.opt_int(*to, "timeouts", "connect_ms", 1, 600000));
        CRM_TRY(total, ctx.opt_int(*to, "timeouts", "total_ms", 1, 3600000));
        CRM_TRY(idle, ctx.opt_int(*to, "timeouts", "idle_ms", 1, 3600000));
        CRM_TRY(retries, ctx.opt_int(*to, "timeouts", "retries", 0, 10));
        if (connect) s.timeouts.connect = std::chrono::milliseconds(*connect);
        if (total) s.timeouts.total = std::chrono::milliseconds(*total);
        if (idle) s.timeouts.idle = std::chrono::milliseconds(*idle);
        if (retries) s.timeouts.retries = static_cast<int>(*retries);
    }
    if (const auto* g = o->if_contains("gate")) {
        CRM_TRY_VOID(parse_gate(ctx, *g, base_dir, s));
    }
    if (const auto* e = o->if_contains("engine")) {
        CRM_TRY(engine, parse_engine(ctx, *e, base_dir));
        s.engine = std::move(engine);
        if (!s.engine.url.empty() &&
            std::any_of(s.hosts.begin(), s.hosts.end(), [](const HostSpec& h) { return h.kind == HostKind::stub; }))
            return std::unexpected(ctx.error("engine.url",
                                             "a running control plane cannot reach this run's stub upstreams; "
                                             "leave url out (the run starts its own) or use real hosts"));
    }
    return s;
}

Result<Scenario> load_scenario(const std::filesystem::path& path, const util::EnvLookup& env) {
    // Not a regular file (a directory, a FIFO, /dev/zero), over the size cap, or unreadable:
    // one line naming the file, before any byte is parsed.
    CRM_TRY(text, util::read_input_file(path));
    auto base = path.parent_path();
    if (base.empty()) base = ".";
    auto s = parse_scenario(text, path.string(), base, env);
    if (!s) return s;
    s->sha256 = util::sha256_hex(text);
    return s;
}

Result<void> check_references(const Scenario& s, const ReferenceCheck& check) {
    for (std::size_t i = 0; i < s.providers.size(); ++i) {
        const auto& p = s.providers[i];
        auto base = element_path("matrix.providers", i);
        if (check.has_provider) {
            if (!check.has_provider(p.pack, ""))
                return util::fail(ErrorCode::invalid_input,
                                  fmt::format("{}:{}: {}.pack: unknown pack \"{}\" in {}", s.source_path, p.pack_line,
                                              base, p.pack, s.packs_dir));
            if (!check.has_provider(p.pack, p.provider))
                return util::fail(ErrorCode::invalid_input,
                                  fmt::format("{}:{}: {}.provider: unknown provider \"{}\" in pack \"{}\"",
                                              s.source_path, p.provider_line, base, p.provider, p.pack));
        }
        if (check.has_profile && !p.profile.empty() && !check.has_profile(p.profile))
            return util::fail(ErrorCode::invalid_input, fmt::format("{}:{}: {}.profile: unknown fault profile \"{}\"",
                                                                    s.source_path, p.profile_line, base, p.profile));
    }
    if (check.has_profile) {
        for (std::size_t i = 0; i < s.hosts.size(); ++i) {
            const auto& h = s.hosts[i];
            if (h.kind == HostKind::stub && !check.has_profile(h.profile)) {
                std::string field =
                    s.hosts_axis ? child_path(element_path("matrix.hosts", i), "profile") : std::string("host.profile");
                return util::fail(ErrorCode::invalid_input,
                                  fmt::format("{}:{}: {}: unknown fault profile \"{}\"", s.source_path, h.profile_line,
                                              field, h.profile));
            }
        }
    }
    return {};
}

}  // namespace crm::harness::scenario
