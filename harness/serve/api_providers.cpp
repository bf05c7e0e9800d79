// /api/providers/{providerID}/...: preview, import, access, reconcile and the batch listings of
// one provider, addressed by its name within the installed packs.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "harness/serve/api_routes.hpp"
#include "harness/serve/idempotency.hpp"
#include "util/random.hpp"

namespace crm::harness::serve {

namespace {

namespace eng = crm::engine;

// The installed pack that has provider `name`: `pack_id` when given; otherwise the only one
// (409 conflict when two packs have it, 404 when none does).
Checked<std::string> pack_of(ApiContext& ctx, const std::string& name, const std::optional<std::string>& pack_id) {
    auto packs = ctx.store.packs();
    if (!packs) return std::unexpected(ctx.api_error(packs.error()));
    std::vector<std::string> having;
    for (const auto& p : *packs) {
        if (pack_id && p.pack_id != *pack_id) continue;
        for (const auto& pr : p.providers) {
            if (pr.name == name) having.push_back(p.pack_id);
        }
    }
    if (having.empty()) {
        return std::unexpected(
            ApiError{404, "not_found",
                     pack_id ? fmt::format("provider {} is not in installed pack {}", name, *pack_id)
                             : fmt::format("unknown provider {}: no installed pack has it (POST /api/packs)", name)});
    }
    if (having.size() > 1) {
        return std::unexpected(ApiError{409, "conflict",
                                        fmt::format("ambiguous provider {}: packs {} both have it; give pack_id", name,
                                                    fmt::join(having, " and "))});
    }
    return having.front();
}

// The provider's batches (any pack), oldest first, on `host_id` when given.
Checked<std::vector<eng::BatchRecord>> batches_of(ApiContext& ctx, const std::string& provider,
                                                  std::optional<std::int64_t> host_id) {
    auto all = ctx.store.batches(host_id);
    if (!all) return std::unexpected(ctx.api_error(all.error()));
    std::vector<eng::BatchRecord> out;
    for (auto& b : *all) {
        if (b.provider == provider) out.push_back(std::move(b));
    }
    return out;
}

// A listing of an unknown provider is 404, not an empty list: a typo must not read as "none".
Checked<void> known_provider(ApiContext& ctx, const std::string& name, bool has_batches) {
    if (has_batches) return {};
    auto pack = pack_of(ctx, name, std::nullopt);
    if (!pack && pack.error().status == 404) return std::unexpected(pack.error());
    return {};
}

// The batches a provider listing shows: the route's provider, on ?host_id= when given; 404 for
// a provider no installed pack has and no batch names.
Checked<std::vector<eng::BatchRecord>> listed_batches(ApiContext& ctx, const ApiRequest& req) {
    auto host_id = query_host_id(req.query);
    if (!host_id) return std::unexpected(host_id.error());
    const auto& provider = req.params.at("providerID");
    auto batches = batches_of(ctx, provider, *host_id);
    if (!batches) return std::unexpected(batches.error());
    if (auto known = known_provider(ctx, provider, !batches->empty()); !known) return std::unexpected(known.error());
    return batches;
}

// The batch an access or reconcile is about: `batch_id` when given (it must be the provider's,
// and on `host_id` when both are given), else the provider's newest succeeded batch.
Checked<eng::BatchRecord> batch_for(ApiContext& ctx, const std::string& provider, std::optional<std::int64_t> batch_id,
                                    std::optional<std::int64_t> host_id) {
    if (batch_id) {
        auto b = ctx.store.batch(*batch_id);
        if (!b) return std::unexpected(ctx.api_error(b.error()));
        if (b->provider != provider) {
            return std::unexpected(invalid_input(
                fmt::format("batch_id: batch {} is of provider {}, not {}", *batch_id, b->provider, provider)));
        }
        if (host_id && b->host_id != *host_id) {
            return std::unexpected(invalid_input(
                fmt::format("batch_id: batch {} is on host {}, not {}", *batch_id, b->host_id, *host_id)));
        }
        return std::move(*b);
    }
    auto batches = batches_of(ctx, provider, host_id);
    if (!batches) return std::unexpected(batches.error());
    for (auto it = batches->rbegin(); it != batches->rend(); ++it) {
        if (it->status == eng::BatchStatus::succeeded) return std::move(*it);
    }
    return std::unexpected(
        ApiError{404, "not_found",
                 fmt::format("provider {} has no succeeded batch{}; import it first (or give batch_id)", provider,
                             host_id ? fmt::format(" on host {}", *host_id) : "")});
}

struct ImportCall {
    std::int64_t host_id = 0;
    eng::ImportRequest request;
};

Checked<ImportCall> import_call(ApiContext& ctx, const ApiRequest& req) {
    auto body = read_body(req.body, {"host_id", "pack_id", "modes", "name_prefix", "owner_run"});
    if (!body) return std::unexpected(body.error());
    auto host_id = opt_id(*body, "host_id");
    if (!host_id) return std::unexpected(host_id.error());
    if (!*host_id) return std::unexpected(invalid_input("host_id: is required"));
    auto pack_id = opt_string(*body, "pack_id");
    if (!pack_id) return std::unexpected(pack_id.error());
    auto modes = opt_strings(*body, "modes");
    if (!modes) return std::unexpected(modes.error());
    auto prefix = opt_string(*body, "name_prefix");
    if (!prefix) return std::unexpected(prefix.error());
    auto owner_run = opt_string(*body, "owner_run");
    if (!owner_run) return std::unexpected(owner_run.error());

    ImportCall call;
    call.host_id = **host_id;
    call.request.provider = req.params.at("providerID");
    const auto words =
        modes->value_or(std::vector<std::string>{std::string(eng::to_string(eng::AccessMode::self_service)),
                                                 std::string(eng::to_string(eng::AccessMode::subscription))});
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& word = words[i];
        auto mode = eng::parse_access_mode(word);
        if (!mode) {
            return std::unexpected(invalid_input(
                fmt::format("modes[{}]: unknown mode \"{}\" (expected self_service or subscription)", i, word)));
        }
        if (std::ranges::find(call.request.modes, *mode) != call.request.modes.end()) {
            return std::unexpected(invalid_input(fmt::format("modes[{}]: {} is given twice", i, word)));
        }
        call.request.modes.push_back(*mode);
    }
    // Without owner_run the batch is an installed provider (recover keeps it); with it, the batch
    // belongs to that acceptance run and `engine recover` rolls it back if the run dies.
    call.request.owner_run = owner_run->value_or("");
    call.request.name_prefix = prefix->value_or("crm-" + util::random_hex(3));
    auto pack = pack_of(ctx, call.request.provider, *pack_id);
    if (!pack) return std::unexpected(pack.error());
    call.request.pack_id = std::move(*pack);
    return call;
}

// What preview and import both start from: the checked body, a server still taking operations,
// and the host's engine target.
struct ReadyImport {
    ImportCall call;
    eng::HostTarget target;
};

Checked<ReadyImport> ready_import(ApiContext& ctx, const ApiRequest& req) {
    auto call = import_call(ctx, req);
    if (!call) return std::unexpected(call.error());
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    auto target = ctx.target(call->host_id);
    if (!target) return std::unexpected(ctx.api_error(target.error()));
    return ReadyImport{std::move(*call), std::move(*target)};
}

ApiResult preview(ApiContext& ctx, const ApiRequest& req) {
    auto ready = ready_import(ctx, req);
    if (!ready) return std::unexpected(ready.error());
    auto plan = ctx.engine().preview(ready->target, ready->call.request);
    if (!plan) {
        ctx.events.engine_operation("preview", "error");
        return std::unexpected(ctx.api_error(plan.error()));
    }
    ctx.events.engine_operation("preview", "succeeded");
    return ok(200, plan->to_json());
}

ApiResult import(ApiContext& ctx, const ApiRequest& req) {
    auto ready = ready_import(ctx, req);
    if (!ready) return std::unexpected(ready.error());
    auto outcome = ctx.engine().import(ready->target, ready->call.request);
    if (!outcome) {
        ctx.events.engine_operation("import", "error");
        return std::unexpected(ctx.api_error(outcome.error()));
    }
    ctx.events.engine_operation("import", eng::to_string(outcome->batch_status));
    return ok(201, outcome->to_json());
}

ApiResult list_batches(ApiContext& ctx, const ApiRequest& req) {
    auto batches = listed_batches(ctx, req);
    if (!batches) return std::unexpected(batches.error());
    auto engine = ctx.engine();
    json::array out;
    for (const auto& b : *batches) {
        auto report = engine.status(b.id);
        if (!report) return std::unexpected(ctx.api_error(report.error()));
        out.push_back(report->to_json());
    }
    return ok(200, json::object{{"batches", std::move(out)}});
}

ApiResult access_status(ApiContext& ctx, const ApiRequest& req) {
    auto batches = listed_batches(ctx, req);
    if (!batches) return std::unexpected(batches.error());
    auto engine = ctx.engine();
    json::array out;
    for (const auto& b : *batches) {
        auto report = engine.status(b.id);
        if (!report) return std::unexpected(ctx.api_error(report.error()));
        json::object modes;
        for (const auto& [mode, status] : report->access) modes[eng::to_string(mode)] = eng::to_string(status);
        out.emplace_back(json::object{{"batch_id", b.id},
                                      {"host_id", b.host_id},
                                      {"pack_id", b.pack_id},
                                      {"batch_status", eng::to_string(b.status)},
                                      {"provider_status", eng::to_string(report->provider_status)},
                                      {"access", std::move(modes)},
                                      {"latest_access_status", eng::to_string(report->latest_access_status)}});
    }
    return ok(200, json::object{{"provider", req.params.at("providerID")}, {"batches", std::move(out)}});
}

ApiResult close_access(ApiContext& ctx, const ApiRequest& req) {
    auto body = read_body(req.body, {"host_id", "batch_id", "mode", "user", "stream_check", "account_test"});
    if (!body) return std::unexpected(body.error());
    auto host_id = opt_id(*body, "host_id");
    if (!host_id) return std::unexpected(host_id.error());
    auto batch_id = opt_id(*body, "batch_id");
    if (!batch_id) return std::unexpected(batch_id.error());
    auto mode_text = req_string(*body, "mode");
    if (!mode_text) return std::unexpected(mode_text.error());
    auto mode = eng::parse_access_mode(*mode_text);
    if (!mode) {
        return std::unexpected(invalid_input(
            fmt::format("mode: unknown mode \"{}\" (expected self_service or subscription)", *mode_text)));
    }
    eng::AccessOptions options;
    auto stream = opt_bool(*body, "stream_check");
    if (!stream) return std::unexpected(stream.error());
    options.stream_check = stream->value_or(false);
    auto account_test = opt_bool(*body, "account_test");
    if (!account_test) return std::unexpected(account_test.error());
    options.account_test = account_test->value_or(true);
    auto user = opt_object(*body, "user");
    if (!user) return std::unexpected(user.error());
    if (*user) {
        for (const auto& [key, value] : **user) {
            if (key != "email" && key != "password_env") {
                return std::unexpected(invalid_input(
                    fmt::format("user.{}: unknown field (known: email, password_env)", std::string_view(key))));
            }
        }
        auto email = req_string(**user, "email", "user.email");
        if (!email) return std::unexpected(email.error());
        auto password_env = req_string(**user, "password_env", "user.password_env");
        if (!password_env) return std::unexpected(password_env.error());
        if (auto usable = usable_secret_variable("user.password_env", *password_env); !usable)
            return std::unexpected(usable.error());
        auto password = ctx.env(*password_env);
        if (!password || password->empty()) {
            return std::unexpected(ApiError{
                422, "missing_secret",
                fmt::format("user.password_env: variable {} is not set in the server's environment", *password_env)});
        }
        ctx.secrets.add(*password);
        options.reuse_user = eng::UserCredentials{*email, *password};
    }
    auto batch = batch_for(ctx, req.params.at("providerID"), *batch_id, *host_id);
    if (!batch) return std::unexpected(batch.error());
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    auto target = ctx.target(batch->host_id);
    if (!target) return std::unexpected(ctx.api_error(target.error()));
    auto outcome = ctx.engine().close_access(*target, batch->id, *mode, options);
    if (!outcome) {
        ctx.events.engine_operation("access", "error");
        return std::unexpected(ctx.api_error(outcome.error()));
    }
    ctx.events.engine_operation("access", eng::to_string(outcome->access_status));
    return ok(200, outcome->to_json());
}

ApiResult reconcile(ApiContext& ctx, const ApiRequest& req) {
    auto body = read_body(req.body, {"batch_id", "host_id"});
    if (!body) return std::unexpected(body.error());
    auto host_id = opt_id(*body, "host_id");
    if (!host_id) return std::unexpected(host_id.error());
    auto batch_id = opt_id(*body, "batch_id");
    if (!batch_id) return std::unexpected(batch_id.error());
    auto batch = batch_for(ctx, req.params.at("providerID"), *batch_id, *host_id);
    if (!batch) return std::unexpected(batch.error());
    if (auto a = ctx.accepting(); !a) return std::unexpected(a.error());
    auto target = ctx.target(batch->host_id);
    if (!target) return std::unexpected(ctx.api_error(target.error()));
    auto outcome = ctx.engine().reconcile(*target, batch->id);
    if (!outcome) {
        ctx.events.engine_operation("reconcile", "error");
        ctx.events.reconcile_run("api", "error", 0);
        return std::unexpected(ctx.api_error(outcome.error()));
    }
    ctx.events.engine_operation("reconcile", outcome->status);
    ctx.events.reconcile_run("api", outcome->status, outcome->drift.size() + outcome->residue.size());
    return ok(200, outcome->to_json());
}

}  // namespace

std::vector<Route> provider_routes(ApiContext& ctx) {
    const std::string base = "/api/providers/{providerID}";
    return {
        {"POST", base + "/preview", "previewImport", [&ctx](const ApiRequest& r) { return preview(ctx, r); }},
        {"POST", base + "/import", "importProvider",
         [&ctx](const ApiRequest& r) { return run_idempotent(ctx.idempotency, r, [&] { return import(ctx, r); }); }},
        {"GET", base + "/import-batches", "listImportBatches",
         [&ctx](const ApiRequest& r) { return list_batches(ctx, r); }},
        {"POST", base + "/access", "closeAccess",
         [&ctx](const ApiRequest& r) {
             return run_idempotent(ctx.idempotency, r, [&] { return close_access(ctx, r); });
         }},
        {"GET", base + "/access-status", "getAccessStatus",
         [&ctx](const ApiRequest& r) { return access_status(ctx, r); }},
        {"POST", base + "/reconcile", "reconcileProvider", [&ctx](const ApiRequest& r) { return reconcile(ctx, r); }},
    };
}

}  // namespace crm::harness::serve
