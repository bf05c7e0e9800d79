#include "harness/session/key_preflight.hpp"

#include <fmt/format.h>

#include <set>

#include "engine/packs/key_source.hpp"
#include "engine/packs/upstream_override.hpp"

namespace crm::harness::session {

util::Result<void> check_upstream_keys(const scenario::Scenario& scenario, const std::vector<matrix::Cell>& cells,
                                       const engine::PackCatalog& packs, const std::vector<runner::HostContext>& hosts,
                                       const util::EnvLookup& env, util::SecretRegistry& secrets) {
    std::set<std::size_t> checked;
    for (const auto& cell : cells) {
        auto provider = packs.find(cell.pack, cell.provider);
        if (!provider) continue;  // the scenario parser already reported unknown providers
        const auto& overrides = hosts.at(cell.host_index).target.upstreams;
        if (engine::find_override(overrides, **provider)) continue;  // the host brings its own key
        if (!checked.insert(cell.provider_index).second) continue;
        const auto& spec = scenario.providers.at(cell.provider_index);
        auto key = engine::resolve_key(**provider, env, engine::filesystem_reader(), &secrets);
        if (!key) {
            return util::fail(util::ErrorCode::missing_secret,
                              fmt::format("{}:{}: matrix.providers[{}]: {}", scenario.source_path, spec.line,
                                          cell.provider_index, key.error().message));
        }
    }
    return {};
}

}  // namespace crm::harness::session
