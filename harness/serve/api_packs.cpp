// /api/packs and /api/providers: the packs recorded in the state store (engine.install_pack
// from the server's --pack-dir) and the providers they bring, with each provider's batches.
#include <fmt/format.h>

#include <map>

#include "harness/serve/api_routes.hpp"
#include "harness/serve/idempotency.hpp"

namespace crm::harness::serve {

namespace {

json::object pack_json(const engine::PackRecord& p) {
    json::array providers;
    for (const auto& pr : p.providers) providers.emplace_back(pr.name);
    return json::object{{"pack_id", p.pack_id},
                        {"version", p.version},
                        {"sha256", p.sha256},
                        {"installed_at", p.installed_at},
                        {"providers", std::move(providers)}};
}

ApiResult list_packs(ApiContext& ctx, const ApiRequest& req) {
    if (auto q = check_query(req.query, {}); !q) return std::unexpected(q.error());
    auto packs = ctx.store.packs();
    if (!packs) return std::unexpected(ctx.api_error(packs.error()));
    json::array out;
    for (const auto& p : *packs) out.emplace_back(pack_json(p));
    return ok(200, json::object{{"packs", std::move(out)}});
}

ApiResult install_pack(ApiContext& ctx, const ApiRequest& req) {
    auto body = read_body(req.body, {"pack_id"});
    if (!body) return std::unexpected(body.error());
    auto pack_id = req_string(*body, "pack_id");
    if (!pack_id) return std::unexpected(pack_id.error());
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    if (auto done = ctx.engine().install_pack(*pack_id); !done) {
        ctx.events.engine_operation("install_pack", "error");
        return std::unexpected(ctx.api_error(done.error()));
    }
    ctx.events.engine_operation("install_pack", "succeeded");
    auto packs = ctx.store.packs();
    if (!packs) return std::unexpected(ctx.api_error(packs.error()));
    for (const auto& p : *packs) {
        if (p.pack_id == *pack_id) return ok(201, json::object{{"pack", pack_json(p)}});
    }
    return std::unexpected(ApiError{500, "internal", fmt::format("pack {} was installed but is not stored", *pack_id)});
}

ApiResult list_providers(ApiContext& ctx, const ApiRequest& req) {
    if (auto q = check_query(req.query, {}); !q) return std::unexpected(q.error());
    auto packs = ctx.store.packs();
    if (!packs) return std::unexpected(ctx.api_error(packs.error()));
    auto batches = ctx.store.batches();
    if (!batches) return std::unexpected(ctx.api_error(batches.error()));
    // (pack, provider) -> batch ids, oldest first.
    std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> by_provider;
    for (const auto& b : *batches) by_provider[{b.pack_id, b.provider}].push_back(b.id);
    auto engine = ctx.engine();
    json::array out;
    for (const auto& p : *packs) {
        for (const auto& pr : p.providers) {
            const auto& ids = by_provider[{p.pack_id, pr.name}];
            json::value latest = nullptr;
            if (!ids.empty()) {
                auto report = engine.status(ids.back());
                if (!report) return std::unexpected(ctx.api_error(report.error()));
                latest = report->to_json();
            }
            out.emplace_back(json::object{{"id", pr.name},
                                          {"pack_id", p.pack_id},
                                          {"platform", pr.platform},
                                          {"batches", ids.size()},
                                          {"latest_batch", std::move(latest)}});
        }
    }
    return ok(200, json::object{{"providers", std::move(out)}});
}

}  // namespace

std::vector<Route> pack_routes(ApiContext& ctx) {
    return {
        {"GET", "/api/packs", "listPacks", [&ctx](const ApiRequest& r) { return list_packs(ctx, r); }},
        {"POST", "/api/packs", "installPack",
         [&ctx](const ApiRequest& r) {
             return run_idempotent(ctx.idempotency, r, [&] { return install_pack(ctx, r); });
         }},
        {"GET", "/api/providers", "listProviders", [&ctx](const ApiRequest& r) { return list_providers(ctx, r); }},
    };
}

}  // namespace crm::harness::serve
