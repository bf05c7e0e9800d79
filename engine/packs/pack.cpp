#include "engine/packs/pack.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "util/secrets.hpp"
#include "util/sha256.hpp"

namespace crm::engine {

using util::ErrorCode;

namespace {

// Above this a "per token" price is almost surely a per-million price typed into the wrong
// field ($1000 per million tokens); the host would bill users a million times too much.
constexpr double k_max_price_per_token = 1e-3;
constexpr int k_max_accounts = 20;

const std::set<std::string, std::less<>> k_pack_keys{"schema_version", "id", "version", "description", "providers"};
const std::set<std::string, std::less<>> k_provider_keys{
    "name",        "description",   "platform", "account_type",     "upstream_base_url",
    "models",      "model_mapping", "pricing",  "smoke_test_model", "accounts",
    "credentials", "extra",         "group",    "key_source"};
const std::set<std::string, std::less<>> k_price_keys{"input", "output"};
const std::set<std::string, std::less<>> k_group_keys{"rate_multiplier", "daily_limit_usd", "validity_days"};
const std::set<std::string, std::less<>> k_key_source_keys{"env", "file"};
// Credential keys the pack may set; api_key / base_url / model_mapping are derived.
const std::set<std::string, std::less<>> k_credential_keys{"account_mode", "api_protocol"};
const std::vector<std::string> k_account_modes{"payg", "coding"};
const std::vector<std::string> k_api_protocols{"chat_completions", "anthropic", "responses", "adaptive"};
const std::vector<std::string> k_responses_modes{"auto", "force_chat_completions", "force_responses"};
// Field names that hold a credential wherever they appear in a pack.
const std::set<std::string, std::less<>> k_secret_names{"api_key", "apikey",   "key",          "token",
                                                        "secret",  "password", "access_token", "authorization"};

bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string child(std::string_view parent, std::string_view key) {
    if (is_identifier(key)) {
        return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
    }
    return fmt::format("{}[\"{}\"]", parent, key);
}

std::string index(std::string_view parent, std::size_t i) { return fmt::format("{}[{}]", parent, i); }

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool looks_like_secret(std::string_view s) {
    if (s.starts_with("sk-") && s.size() >= 8) return true;
    if (s.starts_with("Bearer ")) return true;
    return !util::find_secret_shaped(s).empty();
}

bool is_env_name(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
    });
}

class Validator {
  public:
    Validator(std::string_view source, const util::EnvLookup& env) : m_source(source), m_env(env) {}

    std::unexpected<util::Error> bad(std::string_view path, std::string_view reason) const {
        return util::fail(ErrorCode::invalid_input, fmt::format("{}: {}: {}", m_source, path, reason));
    }

    // First inline credential in document order: a secret-named field with a value, or a
    // secret-shaped string anywhere.
    std::optional<std::string> find_inline_secret(const json::value& v, std::string_view path) const {
        if (v.is_object()) {
            for (const auto& [k, item] : v.get_object()) {
                auto p = child(path, k);
                bool has_value = !item.is_null() && !(item.is_string() && item.get_string().empty());
                if (k_secret_names.contains(std::string_view(k)) && has_value) return p;
                if (auto hit = find_inline_secret(item, p)) return hit;
            }
        } else if (v.is_array()) {
            const auto& a = v.get_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (auto hit = find_inline_secret(a[i], index(path, i))) return hit;
            }
        } else if (v.is_string() && looks_like_secret(v.get_string())) {
            return std::string(path);
        }
        return std::nullopt;
    }

    util::Result<void> only_keys(const json::object& o, std::string_view path,
                                 const std::set<std::string, std::less<>>& allowed) const {
        for (const auto& [k, v] : o) {
            if (!allowed.contains(std::string_view(k))) return bad(child(path, k), "unknown key");
        }
        return {};
    }

    util::Result<std::string> required_string(const json::object& o, std::string_view path,
                                              std::string_view key) const {
        const auto* v = o.if_contains(key);
        if (!v) return bad(child(path, key), "missing");
        if (!v->is_string() || v->get_string().empty()) {
            return bad(child(path, key), "must be a non-empty string");
        }
        return std::string(v->get_string());
    }

    util::Result<std::string> optional_string(const json::object& o, std::string_view path,
                                              std::string_view key) const {
        const auto* v = o.if_contains(key);
        if (!v) return std::string();
        if (!v->is_string()) return bad(child(path, key), "must be a string");
        return std::string(v->get_string());
    }

    util::Result<double> number(const json::value& v, std::string_view path) const {
        if (v.is_double()) return v.get_double();
        if (v.is_int64()) return static_cast<double>(v.get_int64());
        if (v.is_uint64()) return static_cast<double>(v.get_uint64());
        return bad(path, "must be a number");
    }

    util::Result<std::string> expand(std::string_view text, std::string_view path) const {
        return util::expand_env(text, m_env, fmt::format("{}: {}", m_source, path));
    }

    util::Result<Provider> provider(const json::value& v, std::string_view path) const;
    util::Result<void> pricing(const json::object& o, std::string_view path, Provider& p) const;
    util::Result<void> account_options(const json::object& o, std::string_view path, Provider& p) const;
    util::Result<void> key_source(const json::object& o, std::string_view path, Provider& p) const;

  private:
    std::string_view m_source;
    const util::EnvLookup& m_env;
};

util::Result<void> Validator::pricing(const json::object& o, std::string_view path, Provider& p) const {
    auto ppath = child(path, "pricing");
    const auto* v = o.if_contains("pricing");
    if (!v) return bad(ppath, "missing (every model needs a USD-per-token price)");
    if (!v->is_object()) return bad(ppath, "must be an object {model: {input, output}}");
    for (const auto& [model, price] : v->get_object()) {
        auto mpath = child(ppath, model);
        if (!contains(p.models, model)) return bad(mpath, "not in models");
        if (!price.is_object()) return bad(mpath, "must be an object {input, output}");
        if (auto r = only_keys(price.get_object(), mpath, k_price_keys); !r) return r;
        ModelPrice mp;
        for (auto [key, field] : {std::pair{"input", &mp.input}, std::pair{"output", &mp.output}}) {
            auto fpath = child(mpath, key);
            const auto* f = price.get_object().if_contains(key);
            if (!f) return bad(fpath, "missing");
            CRM_TRY(n, number(*f, fpath));
            if (n < 0) return bad(fpath, "must be >= 0");
            if (n > k_max_price_per_token) {
                return bad(fpath, fmt::format("{} USD per token is implausible (prices are USD per "
                                              "token, not per million tokens)",
                                              n));
            }
            *field = n;
        }
        p.pricing[std::string(model)] = mp;
    }
    for (const auto& m : p.models) {
        if (!p.pricing.contains(m)) return bad(ppath, fmt::format("missing price for model \"{}\"", m));
    }
    return {};
}

util::Result<void> Validator::account_options(const json::object& o, std::string_view path, Provider& p) const {
    if (const auto* v = o.if_contains("credentials")) {
        auto cpath = child(path, "credentials");
        if (!v->is_object()) return bad(cpath, "must be an object");
        for (const auto& [k, item] : v->get_object()) {
            auto kpath = child(cpath, k);
            if (k == "base_url" || k == "model_mapping") {
                return bad(kpath,
                           "derived from upstream_base_url / model_mapping; do not set it "
                           "in credentials");
            }
            if (!k_credential_keys.contains(std::string_view(k))) return bad(kpath, "unknown key");
            const auto& allowed = k == "account_mode" ? k_account_modes : k_api_protocols;
            if (!item.is_string() || !contains(allowed, item.get_string())) {
                return bad(kpath, fmt::format("must be one of {}", join(allowed)));
            }
        }
        p.credentials = v->get_object();
    }
    if (const auto* v = o.if_contains("extra")) {
        auto epath = child(path, "extra");
        if (!v->is_object()) return bad(epath, "must be an object");
        if (const auto* mode = v->get_object().if_contains("openai_responses_mode")) {
            auto mpath = child(epath, "openai_responses_mode");
            if (!mode->is_string() || !contains(k_responses_modes, mode->get_string())) {
                return bad(mpath, fmt::format("must be one of {}", join(k_responses_modes)));
            }
            if (p.platform != "openai") return bad(mpath, "only applies to platform openai");
        }
        p.extra = v->get_object();
    }
    if (const auto* v = o.if_contains("group")) {
        auto gpath = child(path, "group");
        if (!v->is_object()) return bad(gpath, "must be an object");
        const auto& g = v->get_object();
        if (auto r = only_keys(g, gpath, k_group_keys); !r) return r;
        if (const auto* rm = g.if_contains("rate_multiplier")) {
            CRM_TRY(n, number(*rm, child(gpath, "rate_multiplier")));
            if (n <= 0) return bad(child(gpath, "rate_multiplier"), "must be > 0");
            p.group_rate_multiplier = n;
        }
        if (const auto* dl = g.if_contains("daily_limit_usd")) {
            CRM_TRY(n, number(*dl, child(gpath, "daily_limit_usd")));
            if (n < 0) return bad(child(gpath, "daily_limit_usd"), "must be >= 0");
            p.subscription_daily_limit_usd = n;
        }
        if (const auto* vd = g.if_contains("validity_days")) {
            if (!vd->is_int64() || vd->get_int64() < 1 || vd->get_int64() > 36500) {
                return bad(child(gpath, "validity_days"), "must be an integer from 1 to 36500");
            }
            p.subscription_validity_days = static_cast<int>(vd->get_int64());
        }
    }
    return {};
}

util::Result<void> Validator::key_source(const json::object& o, std::string_view path, Provider& p) const {
    auto kpath = child(path, "key_source");
    const auto* v = o.if_contains("key_source");
    if (!v) return bad(kpath, "missing (the key comes from {\"env\": NAME} or {\"file\": PATH})");
    if (!v->is_object()) return bad(kpath, "must be an object {\"env\": NAME} or {\"file\": PATH}");
    const auto& ks = v->get_object();
    if (auto r = only_keys(ks, kpath, k_key_source_keys); !r) return r;
    if (ks.size() != 1) return bad(kpath, "exactly one of env or file is required");
    if (const auto* env = ks.if_contains("env")) {
        if (!env->is_string() || !is_env_name(env->get_string())) {
            return bad(child(kpath, "env"), "must be an environment variable name ([A-Z_][A-Z0-9_]*)");
        }
        p.key_env = std::string(env->get_string());
    } else {
        const auto* file = ks.if_contains("file");
        if (!file->is_string() || file->get_string().empty()) {
            return bad(child(kpath, "file"), "must be a non-empty path");
        }
        CRM_TRY(expanded, expand(file->get_string(), child(kpath, "file")));
        p.key_file = expanded;
    }
    return {};
}

util::Result<Provider> Validator::provider(const json::value& v, std::string_view path) const {
    if (!v.is_object()) return bad(path, "must be an object");
    const auto& o = v.get_object();
    CRM_TRY_VOID(only_keys(o, path, k_provider_keys));
    Provider p;
    auto name = required_string(o, path, "name");
    if (!name) return std::unexpected(name.error());
    if (!std::all_of(name->begin(), name->end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                   c == '-' || c == '_' || c == '.';
        })) {
        return bad(child(path, "name"), "must match [a-z0-9._-]+");
    }
    p.name = *name;
    auto description = optional_string(o, path, "description");
    if (!description) return std::unexpected(description.error());
    p.description = *description;

    auto platform = required_string(o, path, "platform");
    if (!platform) return std::unexpected(platform.error());
    if (!contains(known_platforms(), *platform)) {
        return bad(child(path, "platform"),
                   fmt::format("unknown platform \"{}\" (known: {})", *platform, join(known_platforms())));
    }
    p.platform = *platform;
    if (const auto* at = o.if_contains("account_type")) {
        if (!at->is_string() || at->get_string() != "apikey") {
            return bad(child(path, "account_type"), "only \"apikey\" is supported");
        }
    }

    CRM_TRY(url, required_string(o, path, "upstream_base_url"));
    p.upstream_base_url_template = url;
    CRM_TRY(expanded, expand(url, child(path, "upstream_base_url")));
    if (!expanded.starts_with("http://") && !expanded.starts_with("https://")) {
        return bad(child(path, "upstream_base_url"),
                   fmt::format("\"{}\" must start with http:// or https://", expanded));
    }
    p.upstream_base_url = expanded;

    auto mpath = child(path, "models");
    const auto* models = o.if_contains("models");
    if (!models) return bad(mpath, "missing");
    if (!models->is_array() || models->get_array().empty()) {
        return bad(mpath, "must be a non-empty array of model names");
    }
    for (std::size_t i = 0; i < models->get_array().size(); ++i) {
        const auto& m = models->get_array()[i];
        if (!m.is_string() || m.get_string().empty()) return bad(index(mpath, i), "must be a non-empty string");
        if (contains(p.models, m.get_string())) {
            return bad(index(mpath, i), fmt::format("duplicate model \"{}\"", m.get_string().c_str()));
        }
        p.models.emplace_back(m.get_string());
    }

    if (const auto* mapping = o.if_contains("model_mapping")) {
        auto mmpath = child(path, "model_mapping");
        if (!mapping->is_object()) return bad(mmpath, "must be an object {requested: upstream}");
        for (const auto& [requested, upstream] : mapping->get_object()) {
            auto rpath = child(mmpath, requested);
            if (!contains(p.models, requested)) return bad(rpath, "not in models");
            if (!upstream.is_string() || upstream.get_string().empty()) {
                return bad(rpath, "must be a non-empty upstream model name");
            }
            p.model_mapping[std::string(requested)] = std::string(upstream.get_string());
        }
    }

    CRM_TRY_VOID(pricing(o, path, p));

    CRM_TRY(smoke, required_string(o, path, "smoke_test_model"));
    if (!contains(p.models, smoke)) return bad(child(path, "smoke_test_model"), "not in models");
    p.smoke_test_model = smoke;

    if (const auto* accounts = o.if_contains("accounts")) {
        if (!accounts->is_int64() || accounts->get_int64() < 1 || accounts->get_int64() > k_max_accounts) {
            return bad(child(path, "accounts"), fmt::format("must be an integer from 1 to {}", k_max_accounts));
        }
        p.accounts = static_cast<int>(accounts->get_int64());
    }

    CRM_TRY_VOID(account_options(o, path, p));
    CRM_TRY_VOID(key_source(o, path, p));
    return p;
}

}  // namespace

const std::vector<std::string>& known_platforms() {
    static const std::vector<std::string> k_platforms{"anthropic", "openai",  "gemini", "antigravity",
                                                      "grok",      "kimi",    "zhipu",  "deepseek",
                                                      "composite", "minimax", "newapi", "kiro"};
    return k_platforms;
}

util::Result<Pack> parse_pack(std::string_view text, std::string_view source, const util::EnvLookup& env) {
    CRM_TRY(doc, util::parse_json_relaxed(text, source));
    Validator check(source, env);
    if (!doc.is_object()) return check.bad("(root)", "a pack must be a JSON object");
    if (auto hit = check.find_inline_secret(doc, "")) {
        return check.bad(*hit,
                         "inline secret not allowed; use key_source {\"env\": NAME} or "
                         "{\"file\": PATH}");
    }
    const auto& o = doc.get_object();
    CRM_TRY_VOID(check.only_keys(o, "", k_pack_keys));

    Pack pack;
    pack.source = std::string(source);
    pack.sha256 = util::sha256_hex(text);
    const auto* sv = o.if_contains("schema_version");
    if (!sv) return check.bad("schema_version", "missing");
    if (!sv->is_int64() || sv->get_int64() != k_pack_schema_version) {
        return check.bad("schema_version", fmt::format("unsupported schema_version {} (supported: {})",
                                                       json::serialize(*sv), k_pack_schema_version));
    }
    auto id = check.required_string(o, "", "id");
    if (!id) return std::unexpected(id.error());
    if (!std::all_of(id->begin(), id->end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                   c == '-';
        })) {
        return check.bad("id", "must match [a-z0-9-]+");
    }
    pack.id = *id;
    auto version = check.required_string(o, "", "version");
    if (!version) return std::unexpected(version.error());
    pack.version = *version;
    auto description = check.optional_string(o, "", "description");
    if (!description) return std::unexpected(description.error());
    pack.description = *description;

    const auto* providers = o.if_contains("providers");
    if (!providers) return check.bad("providers", "missing");
    if (!providers->is_array() || providers->get_array().empty()) {
        return check.bad("providers", "must be a non-empty array");
    }
    const auto& list = providers->get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto path = index("providers", i);
        CRM_TRY(p, check.provider(list[i], path));
        if (pack.find(p.name)) {
            return check.bad(child(path, "name"),
                             fmt::format("duplicate provider name \"{}\" in pack {}", p.name, pack.id));
        }
        p.pack_id = pack.id;
        p.pack_version = pack.version;
        pack.providers.push_back(std::move(p));
    }
    return pack;
}

const Provider* Pack::find(std::string_view provider_name) const {
    for (const auto& p : providers) {
        if (p.name == provider_name) return &p;
    }
    return nullptr;
}

std::string Provider::upstream_model(std::string_view requested) const {
    auto it = model_mapping.find(std::string(requested));
    return it == model_mapping.end() ? std::string(requested) : it->second;
}

json::object Provider::account_model_mapping() const {
    json::object out;
    for (const auto& m : models) out[m] = upstream_model(m);
    return out;
}

json::object Provider::account_credentials(std::string_view api_key) const {
    json::object out{{"api_key", api_key}, {"base_url", upstream_base_url}};
    for (const auto& [k, v] : credentials) out[k] = v;
    out["model_mapping"] = account_model_mapping();
    return out;
}

json::value Provider::to_json() const {
    json::array model_list;
    for (const auto& m : models) model_list.emplace_back(m);
    json::object mapping;
    for (const auto& [k, v] : model_mapping) mapping[k] = v;
    json::object prices;
    for (const auto& [m, price] : pricing) {
        prices[m] = json::object{{"input", price.input}, {"output", price.output}};
    }
    json::object key;
    if (!key_env.empty()) key["env"] = key_env;
    if (!key_file.empty()) key["file"] = key_file;
    json::object group{{"rate_multiplier", group_rate_multiplier}, {"validity_days", subscription_validity_days}};
    if (subscription_daily_limit_usd) group["daily_limit_usd"] = *subscription_daily_limit_usd;
    return json::object{
        {"pack_id", pack_id},
        {"pack_version", pack_version},
        {"name", name},
        {"qualified_name", qualified_name()},
        {"description", description},
        {"platform", platform},
        {"account_type", account_type},
        {"upstream_base_url", upstream_base_url},
        {"upstream_base_url_template", upstream_base_url_template},
        {"models", std::move(model_list)},
        {"model_mapping", std::move(mapping)},
        {"pricing", std::move(prices)},
        {"smoke_test_model", smoke_test_model},
        {"accounts", accounts},
        {"credentials", credentials},
        {"extra", extra},
        {"group", std::move(group)},
        {"key_source", std::move(key)},
    };
}

}  // namespace crm::engine
