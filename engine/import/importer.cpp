#include "engine/import/importer.hpp"

#include <fmt/format.h>

#include <map>

#include "engine/import/import_planner.hpp"
#include "engine/ops/write_outcome.hpp"

namespace crm::engine {

namespace sub2api = probes::sub2api;
using util::ErrorCode;

std::vector<ResourceView> resource_views(const std::vector<ResourceRecord>& records) {
    std::vector<ResourceView> out;
    out.reserve(records.size());
    for (const auto& r : records) out.push_back({r.kind, r.name, r.mode, r.host_id, r.state, r.error});
    return out;
}

namespace {

std::string secret_free_spec(const PlannedResource& r) { return json::serialize(r.body); }

util::Result<std::int64_t> create_group(OpContext& ctx, std::int64_t batch_id, const Provider& provider,
                                        const PlannedResource& planned) {
    sub2api::GroupCreate g;
    g.name = planned.name;
    g.platform = provider.platform;
    g.subscription_type = subscription_type_for(planned.mode.value_or(AccessMode::self_service));
    g.rate_multiplier = provider.group_rate_multiplier > 0 ? provider.group_rate_multiplier : 1.0;
    g.description = fmt::format("crm-accept import batch {} ({})", batch_id, provider.qualified_name());
    if (planned.mode == AccessMode::subscription) g.daily_limit_usd = provider.subscription_daily_limit_usd;
    CRM_TRY(group, ctx.write([&] { return ctx.admin.create_group(g); }));
    return group.id;
}

util::Result<std::int64_t> create_account(OpContext& ctx, std::int64_t batch_id, const Provider& provider,
                                          const PlannedResource& planned, const std::string& api_key,
                                          const std::vector<std::int64_t>& group_ids) {
    sub2api::AccountCreate a;
    a.name = planned.name;
    a.notes = fmt::format("crm-accept import batch {}", batch_id);
    a.platform = provider.platform;
    a.type = provider.account_type;
    a.credentials = provider.account_credentials(api_key);
    a.extra = provider.extra;
    a.group_ids = group_ids;
    CRM_TRY(account, ctx.write([&] { return ctx.admin.create_account(a); }));
    return account.id;
}

util::Result<std::int64_t> create_channel(OpContext& ctx, std::int64_t batch_id, const Provider& provider,
                                          const PlannedResource& planned, const std::vector<std::int64_t>& group_ids) {
    sub2api::ChannelCreate c;
    c.name = planned.name;
    c.description = fmt::format("crm-accept import batch {}", batch_id);
    c.group_ids = group_ids;
    for (const auto& m : provider.models) {
        sub2api::ChannelPricing price;
        price.platform = provider.platform;
        price.models = {m};
        if (auto it = provider.pricing.find(m); it != provider.pricing.end()) {
            price.input_price = it->second.input;
            price.output_price = it->second.output;
        }
        c.model_pricing.push_back(std::move(price));
    }
    c.model_mapping = channel_model_mapping(provider);
    c.billing_model_source = "channel_mapped";
    c.restrict_models = true;
    CRM_TRY(channel, ctx.write([&] { return ctx.admin.create_channel(c); }));
    return channel.id;
}

}  // namespace

ImportOutcome run_import(OpContext& ctx, std::int64_t batch_id, const Provider& provider, const ImportPlan& plan,
                         const std::string& api_key) {
    ImportOutcome out;
    out.batch_id = batch_id;
    out.provider = provider.qualified_name();
    out.platform = provider.platform;
    out.name_prefix = plan.name_prefix;
    out.modes = plan.modes;

    auto finish = [&](BatchStatus status, std::string error, std::optional<ErrorCode> code) {
        if (auto s = ctx.store.set_batch_status(batch_id, status, std::nullopt, error); !s) {
            error = error.empty() ? s.error().message : error + "; " + s.error().message;
        }
        out.batch_status = status;
        out.provider_status = provider_status_for(status);
        out.error = std::move(error);
        out.error_code = code;
        if (auto rs = ctx.store.resources(batch_id)) out.resources = resource_views(*rs);
        ctx.emit("import", fmt::format("batch {} {}", batch_id, to_string(status)), batch_id);
        return out;
    };

    if (auto s = ctx.store.set_batch_status(batch_id, BatchStatus::running, std::nullopt); !s) {
        return finish(BatchStatus::failed, s.error().message, s.error().code);
    }

    std::vector<std::int64_t> group_ids;
    for (const auto& planned : plan.resources) {
        ResourceRecord intent;
        intent.batch_id = batch_id;
        intent.kind = planned.kind;
        intent.name = planned.name;
        intent.mode = planned.mode;
        intent.spec_json = secret_free_spec(planned);
        auto row = ctx.store.journal_intent(intent);
        if (!row) return finish(BatchStatus::failed, row.error().message, row.error().code);
        ctx.emit("import", fmt::format("creating {} {}", to_string(planned.kind), planned.name), batch_id);

        util::Result<std::int64_t> created = std::unexpected(util::Error{});
        switch (planned.kind) {
            case ResourceKind::group:
                created = create_group(ctx, batch_id, provider, planned);
                if (created) group_ids.push_back(*created);
                break;
            case ResourceKind::account:
                created = create_account(ctx, batch_id, provider, planned, api_key, group_ids);
                break;
            case ResourceKind::channel:
                created = create_channel(ctx, batch_id, provider, planned, group_ids);
                break;
            default:
                created = util::fail(ErrorCode::internal, "import plans only groups, accounts and channels");
        }

        if (!created) {
            const auto& e = created.error();
            std::string message = fmt::format("create {} {}: {}", to_string(planned.kind), planned.name, e.message);
            if (write_certainly_not_applied(e)) {
                (void)ctx.store.mark_state(*row, ResourceState::absent, message);
            } else {
                (void)ctx.store.mark_state(*row, ResourceState::intent, message);
            }
            return finish(BatchStatus::failed, message, e.code);
        }
        if (auto m = ctx.store.mark_created(*row, *created); !m) {
            return finish(BatchStatus::failed, m.error().message, m.error().code);
        }
    }
    return finish(BatchStatus::succeeded, {}, std::nullopt);
}

}  // namespace crm::engine
