#pragma once
// A host's own upstream for a provider: the base URL its accounts point at and the key they
// carry, in place of the pack's expanded upstream_base_url and its key_source.
//
// `crm-accept run` gives each stub host one override per scenario provider, naming that host's
// own stub upstream, so two stub hosts in one run never share upstreams. A real host has none:
// the pack's URL and key_source apply. Overrides are keyed by qualified provider name
// ("cn-core/deepseek"), so relay-mirror/deepseek never picks up cn-core/deepseek's.
#include <functional>
#include <map>
#include <string>

#include "engine/packs/key_source.hpp"
#include "engine/packs/pack.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::engine {

struct UpstreamOverride {
    std::string base_url;  // http(s)://, as a pack's upstream_base_url would be
    std::string api_key;   // a secret; the caller registers it before anything is written
    friend bool operator==(const UpstreamOverride&, const UpstreamOverride&) = default;
};

// By Provider::qualified_name().
using UpstreamOverrides = std::map<std::string, UpstreamOverride, std::less<>>;

// The override for `provider`, or nullptr when the host has none.
[[nodiscard]] const UpstreamOverride* find_override(const UpstreamOverrides& overrides, const Provider& provider);

// `provider` as the host reaches it: the override's base URL in place of the pack's.
[[nodiscard]] Provider with_override(const Provider& provider, const UpstreamOverrides& overrides);

// The override's key when there is one (registered in `secrets` when given), else
// resolve_key(provider, env, read, secrets) with its errors.
[[nodiscard]] util::Result<std::string> resolve_upstream_key(const Provider& provider,
                                                             const UpstreamOverrides& overrides,
                                                             const util::EnvLookup& env,
                                                             const FileReader& read = filesystem_reader(),
                                                             util::SecretRegistry* secrets = nullptr);

}  // namespace crm::engine
