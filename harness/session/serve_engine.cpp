#include "harness/session/serve_engine.hpp"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "util/files.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"
#include "util/random.hpp"

namespace crm::harness::session {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

std::unexpected<ServeFailure> failure(ExitCode code, std::string message) {
    return std::unexpected(ServeFailure{code, "crm-accept run: " + std::move(message)});
}

// A variable name for the child's environment. Folding `name` to [A-Z0-9_] can make two names
// one ("a-b", "a_b"), so an ordinal distinct among the variables of one prefix (the host's index,
// or the variable's place in the child's environment list) keeps every variable distinct: a key
// must never reach another provider or host.
std::string variable_for(std::string_view prefix, std::string_view name, std::size_t ordinal) {
    std::string v(prefix);
    for (char c : name) v += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
    return v + "_" + std::to_string(ordinal);
}

// The scenario's packs with every stub-host provider pointed at its stub upstream, written to
// `dir`; the upstream keys land in `env` (never in a file).
util::Result<void> write_serve_packs(const ServeInputs& in, const fs::path& dir,
                                     std::vector<std::pair<std::string, std::string>>& env) {
    engine::UpstreamOverrides overrides;
    for (const auto& h : in.up.hosts) {
        for (const auto& [qualified, o] : h.target.upstreams) {
            auto [it, inserted] = overrides.emplace(qualified, o);
            if (!inserted && !(it->second == o))
                return util::fail(util::ErrorCode::invalid_input,
                                  fmt::format("{}: engine.via serve: one control plane serves one stub host's "
                                              "upstreams; this scenario has several stub hosts",
                                              in.prepared.scenario.source_path));
        }
    }
    fs::create_directories(dir);
    for (const auto& entry : fs::directory_iterator(in.prepared.scenario.packs_dir)) {
        if (entry.path().extension() != ".json") continue;
        CRM_TRY(text, util::read_input_file(entry.path()));
        CRM_TRY(doc, util::parse_json_relaxed(text, entry.path().string()));
        if (auto* o = doc.if_object()) {
            const auto id = util::get_string(doc, "id").value_or("");
            if (auto* providers = o->if_contains("providers"); providers && providers->is_array()) {
                for (auto& p : providers->get_array()) {
                    auto* po = p.if_object();
                    if (!po) continue;
                    const auto qualified = id + "/" + util::get_string(p, "name").value_or("");
                    auto it = overrides.find(qualified);
                    if (it == overrides.end()) continue;
                    const auto var = variable_for("CRM_SERVE_UPSTREAM_KEY_", qualified, env.size());
                    (*po)["upstream_base_url"] = it->second.base_url;
                    (*po)["key_source"] = json::object{{"env", var}};
                    env.emplace_back(var, it->second.api_key);
                }
            }
        }
        CRM_TRY_VOID(util::write_atomic(dir / entry.path().filename(), util::pretty(doc)));
    }
    return {};
}

}  // namespace

std::expected<void, ServeFailure> start_serve_engine(const ServeInputs& in, ServeEngine& out) {
    const auto& spec = in.prepared.scenario.engine;
    const auto& specs = in.prepared.scenario.hosts;
    std::string token;
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<runner::PlaneHostRef> refs(specs.size());
    if (!spec.url.empty()) {
        token = in.env(spec.token_env).value_or("");
        if (token.empty())
            return failure(ExitCode::environment_blocked,
                           fmt::format("engine.token_env: {} is not set (the token of the control plane at {})",
                                       spec.token_env, spec.url));
        out.url = spec.url;
    } else {
        token = util::random_hex(16);
    }
    in.secrets.add(token);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& h = specs[i];
        if (!h.reuse_user) continue;
        if (spec.url.empty()) {
            refs[i].user_password_env = variable_for("CRM_SERVE_USER_PASSWORD_", h.name, env.size());
            env.emplace_back(refs[i].user_password_env, h.reuse_user->password);
        } else {
            return failure(ExitCode::harness_error,
                           fmt::format("{}: engine.url: a reused user's password reaches a running control plane "
                                       "only by a variable of its own environment; this build cannot name one",
                                       in.prepared.scenario.source_path));
        }
    }
    if (spec.url.empty()) {
        const auto packs = in.work_dir / "serve-packs";
        if (auto w = write_serve_packs(in, packs, env); !w) return failure(ExitCode::harness_error, w.error().message);
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const auto& admin = in.up.hosts[i].target.admin;
            if (admin.api_key.empty() && !admin.password.empty())
                env.emplace_back(variable_for("CRM_SERVE_ADMIN_PASSWORD_", specs[i].name, i), admin.password);
        }
        PlaneProcessOptions po;
        po.exe = in.exe;
        po.db = in.state_file;
        po.pack_dir = packs;
        po.work_dir = in.work_dir;
        po.token = token;
        po.env = std::move(env);
        auto p = PlaneProcess::start(po, in.http);
        if (!p) return failure(ExitCode::environment_blocked, p.error().message);
        out.process = std::move(*p);
        out.url = out.process->url();
    }
    out.client = std::make_unique<serve::PlaneClient>(in.http, serve::PlaneClientOptions{out.url, token});
    out.plane.client = out.client.get();
    if (auto h = out.client->health(); !h)
        return failure(ExitCode::environment_blocked,
                       fmt::format("the control plane at {} is not reachable: {}", out.url, h.error().message));
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& target = in.up.hosts[i].target;
        serve::HostRegistration reg;
        reg.name = target.name;
        reg.url = target.url;
        reg.accept_compliance = target.accept_compliance;
        if (!target.admin.api_key.empty()) {
            reg.admin_key = target.admin.api_key;
        } else {
            reg.admin_email = target.admin.email;
            reg.admin_password_env = spec.url.empty() ? variable_for("CRM_SERVE_ADMIN_PASSWORD_", specs[i].name, i)
                                                      : specs[i].admin_password_env;
            if (reg.admin_password_env.empty())
                return failure(ExitCode::harness_error,
                               fmt::format("{}: host {}: with engine.url the admin password must be a ${{VAR}} the "
                                           "control plane's environment also has",
                                           in.prepared.scenario.source_path, specs[i].name));
        }
        auto host = out.client->create_host(reg);
        if (!host)
            return failure(ExitCode::environment_blocked,
                           fmt::format("registering host {} with the control plane at {}: {}", target.url, out.url,
                                       host.error().message));
        refs[i].id = host->id;
        out.plane.hosts[target.url] = refs[i];
    }
    std::set<std::string> packs;
    for (const auto& c : in.prepared.cells) packs.insert(c.pack);
    for (const auto& pack : packs) {
        if (auto r = out.client->install_pack(pack); !r)
            return failure(
                ExitCode::environment_blocked,
                fmt::format("installing pack {} on the control plane at {}: {}", pack, out.url, r.error().message));
    }
    return {};
}

}  // namespace crm::harness::session
