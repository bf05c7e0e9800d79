#pragma once
// Import planning: a pure function from (provider, request) to the ordered host resources an
// import creates. preview() shows it; import() executes it. No IO here.
//
// Order and shape (docs/ENGINE.md; the sub2api admin API):
//   1. one group per requested mode — self_service: subscription_type standard, subscription:
//      subscription_type subscription; platform = provider platform; rate_multiplier from the
//      pack (default 1);
//   2. provider.accounts accounts, platform = the groups' platform, bound to every planned group
//      by group_ids, credentials {api_key, base_url, model_mapping, pack credential extras},
//      extra from the pack;
//   3. one channel over the planned groups: model_pricing (per model, USD per token),
//      model_mapping {platform: {model: model}}, billing_model_source channel_mapped,
//      restrict_models true.
// Every name starts with "<name_prefix>-<provider>" so it is unique per cell and findable by
// recover. The account bodies carry the key *source*, never the key.
#include <string>
#include <string_view>

#include "engine/engine.hpp"
#include "engine/model/outcomes.hpp"
#include "engine/packs/pack.hpp"
#include "util/error.hpp"

namespace crm::engine {

// invalid_input, one line, for: no mode, a duplicated mode, an empty/invalid name_prefix
// (allowed: [A-Za-z0-9_-], at most 48 characters), a provider with no model or no account.
[[nodiscard]] util::Result<void> validate_request(const Provider& provider, const ImportRequest& request);

[[nodiscard]] util::Result<ImportPlan> plan_import(const Provider& provider, const ImportRequest& request,
                                                   std::string_view host_url);

// Host resource names.
[[nodiscard]] std::string group_name(std::string_view prefix, const Provider& p, AccessMode mode);
[[nodiscard]] std::string account_name(std::string_view prefix, const Provider& p, int index);
[[nodiscard]] std::string channel_name(std::string_view prefix, const Provider& p);
[[nodiscard]] std::string subscription_type_for(AccessMode mode);

// The channel's model_mapping {platform: {model: model}} and model_pricing array as sent.
[[nodiscard]] json::object channel_model_mapping(const Provider& p);
[[nodiscard]] json::array channel_model_pricing(const Provider& p);

}  // namespace crm::engine
