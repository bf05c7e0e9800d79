#include "engine/import/import_planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace crm::engine {

using util::ErrorCode;
using util::fail;

std::string group_name(std::string_view prefix, const Provider& p, AccessMode mode) {
    return fmt::format("{}-{}-{}", prefix, p.name, mode == AccessMode::self_service ? "std" : "sub");
}

std::string account_name(std::string_view prefix, const Provider& p, int index) {
    return fmt::format("{}-{}-acct-{}", prefix, p.name, index);
}

std::string channel_name(std::string_view prefix, const Provider& p) {
    return fmt::format("{}-{}-channel", prefix, p.name);
}

std::string subscription_type_for(AccessMode mode) {
    return mode == AccessMode::self_service ? "standard" : "subscription";
}

util::Result<void> validate_request(const Provider& provider, const ImportRequest& request) {
    if (request.modes.empty()) {
        return fail(ErrorCode::invalid_input, "import needs at least one access mode (self_service, subscription)");
    }
    std::set<AccessMode> seen;
    for (auto m : request.modes) {
        if (!seen.insert(m).second) {
            return fail(ErrorCode::invalid_input, fmt::format("access mode {} is requested twice", to_string(m)));
        }
    }
    const auto& prefix = request.name_prefix;
    if (prefix.empty() || prefix.size() > 48) {
        return fail(ErrorCode::invalid_input, "name prefix must be 1 to 48 characters");
    }
    for (char c : prefix) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
            return fail(ErrorCode::invalid_input,
                        fmt::format("name prefix '{}' may only hold letters, digits, '-' and '_'", prefix));
        }
    }
    if (provider.models.empty()) {
        return fail(ErrorCode::invalid_input, fmt::format("provider {} has no models", provider.qualified_name()));
    }
    if (provider.accounts < 1) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("provider {} asks for no account", provider.qualified_name()));
    }
    if (provider.platform.empty()) {
        return fail(ErrorCode::invalid_input, fmt::format("provider {} has no platform", provider.qualified_name()));
    }
    return {};
}

json::object channel_model_mapping(const Provider& p) {
    // Identity per model: the channel whitelists the pack's models under their requested names;
    // the rename to upstream names happens once, in the accounts' model_mapping (a rename here
    // too would hand the accounts a name their whitelist does not hold).
    json::object inner;
    for (const auto& m : p.models) inner[m] = m;
    return json::object{{p.platform, std::move(inner)}};
}

json::array channel_model_pricing(const Provider& p) {
    json::array out;
    for (const auto& m : p.models) {
        ModelPrice price;
        if (auto it = p.pricing.find(m); it != p.pricing.end()) price = it->second;
        out.push_back(json::object{{"platform", p.platform},
                                   {"models", json::array{json::value(m)}},
                                   {"billing_mode", "token"},
                                   {"input_price", price.input},
                                   {"output_price", price.output}});
    }
    return out;
}

util::Result<ImportPlan> plan_import(const Provider& provider, const ImportRequest& request,
                                     std::string_view host_url) {
    CRM_TRY_VOID(validate_request(provider, request));
    ImportPlan plan;
    plan.host_url = std::string(host_url);
    plan.pack_id = provider.pack_id;
    plan.pack_version = provider.pack_version;
    plan.provider = provider.qualified_name();
    plan.platform = provider.platform;
    plan.name_prefix = request.name_prefix;
    plan.modes = request.modes;

    json::array group_names;
    for (auto mode : request.modes) {
        json::object body{{"name", group_name(request.name_prefix, provider, mode)},
                          {"platform", provider.platform},
                          {"subscription_type", subscription_type_for(mode)},
                          {"rate_multiplier", provider.group_rate_multiplier}};
        if (mode == AccessMode::subscription && provider.subscription_daily_limit_usd) {
            body["daily_limit_usd"] = *provider.subscription_daily_limit_usd;
        }
        group_names.emplace_back(body["name"]);
        plan.resources.push_back({ResourceKind::group, std::string(body["name"].as_string()), mode, std::move(body)});
    }

    const std::string key_source = provider.key_env.empty() ? fmt::format("<key_file {}>", provider.key_file)
                                                            : fmt::format("<env {}>", provider.key_env);
    for (int i = 1; i <= provider.accounts; ++i) {
        auto credentials = provider.account_credentials(key_source);
        json::object body{{"name", account_name(request.name_prefix, provider, i)},
                          {"platform", provider.platform},
                          {"type", provider.account_type},
                          {"credentials", std::move(credentials)},
                          {"extra", provider.extra},
                          {"group_names", group_names},
                          {"concurrency", 0},
                          {"priority", 1}};
        plan.resources.push_back(
            {ResourceKind::account, std::string(body["name"].as_string()), std::nullopt, std::move(body)});
    }

    json::object channel{{"name", channel_name(request.name_prefix, provider)},
                         {"group_names", group_names},
                         {"model_pricing", channel_model_pricing(provider)},
                         {"model_mapping", channel_model_mapping(provider)},
                         {"billing_model_source", "channel_mapped"},
                         {"restrict_models", true}};
    plan.resources.push_back(
        {ResourceKind::channel, std::string(channel["name"].as_string()), std::nullopt, std::move(channel)});
    return plan;
}

}  // namespace crm::engine
