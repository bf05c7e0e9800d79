#include "engine/packs/upstream_override.hpp"

namespace crm::engine {

const UpstreamOverride* find_override(const UpstreamOverrides& overrides, const Provider& provider) {
    auto it = overrides.find(provider.qualified_name());
    return it == overrides.end() ? nullptr : &it->second;
}

Provider with_override(const Provider& provider, const UpstreamOverrides& overrides) {
    Provider out = provider;
    if (const auto* o = find_override(overrides, provider)) out.upstream_base_url = o->base_url;
    return out;
}

util::Result<std::string> resolve_upstream_key(const Provider& provider, const UpstreamOverrides& overrides,
                                               const util::EnvLookup& env, const FileReader& read,
                                               util::SecretRegistry* secrets) {
    const auto* o = find_override(overrides, provider);
    if (!o) return resolve_key(provider, env, read, secrets);
    if (secrets) secrets->add(o->api_key);
    return o->api_key;
}

}  // namespace crm::engine
