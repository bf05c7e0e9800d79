// /api/import-batches/{batchID}: one batch read back from the store (with its reconcile runs,
// newest first) and its rollback through engine.rollback.
#include <fmt/format.h>

#include "harness/serve/api_routes.hpp"
#include "util/json.hpp"

namespace crm::harness::serve {

namespace {

ApiResult get_batch(ApiContext& ctx, const ApiRequest& req) {
    if (auto q = check_query(req.query, {}); !q) return std::unexpected(q.error());
    auto id = parse_id(req.params.at("batchID"), "batchID");
    if (!id) return std::unexpected(id.error());
    auto report = ctx.engine().status(*id);
    if (!report) return std::unexpected(ctx.api_error(report.error()));
    auto runs = ctx.store.reconcile_runs(*id);
    if (!runs) return std::unexpected(ctx.api_error(runs.error()));
    json::array run_list;
    for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
        auto parsed = util::parse_json(it->report_json, "reconcile_runs.report_json");
        run_list.emplace_back(json::object{{"id", it->id},
                                           {"status", it->status},
                                           {"drift_count", it->drift_count},
                                           {"residue_count", it->residue_count},
                                           {"created_at", it->created_at},
                                           {"report", parsed ? std::move(*parsed) : json::value(nullptr)}});
    }
    auto body = report->to_json();
    if (body.is_object()) body.as_object()["reconcile_runs"] = std::move(run_list);
    return ok(200, std::move(body));
}

ApiResult rollback(ApiContext& ctx, const ApiRequest& req) {
    if (auto body = read_body(req.body, {}); !body) return std::unexpected(body.error());
    auto id = parse_id(req.params.at("batchID"), "batchID");
    if (!id) return std::unexpected(id.error());
    auto batch = ctx.store.batch(*id);
    if (!batch) return std::unexpected(ctx.api_error(batch.error()));
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    auto target = ctx.target(batch->host_id);
    if (!target) return std::unexpected(ctx.api_error(target.error()));
    auto outcome = ctx.engine().rollback(*target, *id);
    if (!outcome) {
        ctx.events.engine_operation("rollback", "error");
        return std::unexpected(ctx.api_error(outcome.error()));
    }
    ctx.events.engine_operation("rollback", engine::to_string(outcome->batch_status));
    return ok(200, outcome->to_json());
}

}  // namespace

std::vector<Route> batch_routes(ApiContext& ctx) {
    return {
        {"GET", "/api/import-batches/{batchID}", "getImportBatch",
         [&ctx](const ApiRequest& r) { return get_batch(ctx, r); }},
        {"POST", "/api/import-batches/{batchID}/rollback", "rollbackBatch",
         [&ctx](const ApiRequest& r) { return rollback(ctx, r); }},
    };
}

}  // namespace crm::harness::serve
