#include "harness/session/run_setup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/verify.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "harness/scenario/scenario_parser.hpp"

namespace crm::harness::session {

namespace fs = std::filesystem;

std::vector<fs::path> default_scenario_candidates(const util::EnvLookup& env) {
    const fs::path rel = fs::path("scenarios") / "default.json";
    std::vector<fs::path> out;
    if (auto home = env("CRM_ACCEPT_HOME"); home && !home->empty()) out.push_back(fs::path(*home) / rel);
    // A build tree inside the checkout (<source>/build*/harness/crm-accept) finds the checkout's;
    // an installed binary (<prefix>/bin/crm-accept) finds <prefix>/share/crm-accept.
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
            out.push_back(dir / rel);
            out.push_back(dir / "share" / "crm-accept" / rel);
        }
    }
    out.push_back(fs::current_path(ec) / rel);
    return out;
}

util::Result<std::string> default_scenario_path(const util::EnvLookup& env) {
    const auto candidates = default_scenario_candidates(env);
    std::vector<std::string> looked;
    for (const auto& p : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
        looked.push_back(p.string());
    }
    return util::fail(util::ErrorCode::invalid_input,
                      fmt::format("no scenario given and no scenarios/default.json found (looked at {}); pass a "
                                  "scenario file, or set CRM_ACCEPT_HOME to the directory holding scenarios/ and "
                                  "packs/ (an installed crm-accept has them in <prefix>/share/crm-accept)",
                                  fmt::join(looked, ", ")));
}

namespace {

std::string stub_style(const engine::Provider& p) {
    auto has = [&](std::string_view s) {
        return p.name.find(s) != std::string::npos || p.platform.find(s) != std::string::npos;
    };
    if (has("deepseek")) return "deepseek";
    if (has("minimax")) return "minimax";
    return "openai";
}

// The same identity and manifest checks merge applies to its shards (evidence::read_earlier_bundle),
// then the cells to re-run, driven by the matrix rather than by the folders BUNDLE happens to
// hold: an interrupted run has no folder for the cells it never started.
std::expected<std::vector<matrix::Cell>, PrepareError> rerun_cells(const Prepared& p, const std::string& bundle) {
    auto earlier = evidence::read_earlier_bundle(bundle, {p.scenario.sha256, /*accept_incomplete=*/true});
    if (!earlier) {
        auto kind = earlier.error().kind == evidence::RefusalKind::untrustworthy ? PrepareFailure::untrustworthy
                                                                                 : PrepareFailure::invalid_input;
        return std::unexpected(PrepareError{kind, "--rerun-failed: " + earlier.error().message});
    }
    auto earlier_bundle = evidence::Bundle::open(bundle, std::move(earlier->run));
    if (!earlier_bundle)
        return std::unexpected(
            PrepareError{PrepareFailure::invalid_input, "--rerun-failed: " + earlier_bundle.error().message});
    auto passed_ids = earlier_bundle->passed_cells();
    std::set<std::string> passed(passed_ids.begin(), passed_ids.end());
    std::optional<std::set<std::string>> earlier_selection;
    if (!earlier_bundle->run.cells.empty()) {
        earlier_selection.emplace();
        for (const auto& c : earlier_bundle->run.cells) earlier_selection->insert(c.id);
    }
    return matrix::select_rerun(p.cells, earlier_selection, passed);
}

}  // namespace

std::expected<Prepared, PrepareError> prepare(const std::string& scenario_path, const util::EnvLookup& env,
                                              const SelectionOptions& sel, const std::string& rules_path) {
    auto bad = [](std::string m) { return std::unexpected(PrepareError{PrepareFailure::invalid_input, std::move(m)}); };
    auto usage = [](std::string m) { return std::unexpected(PrepareError{PrepareFailure::usage, std::move(m)}); };
    Prepared p;
    auto s = scenario::load_scenario(scenario_path, env);
    if (!s) return bad(s.error().message);
    p.scenario = std::move(*s);
    auto packs = engine::load_pack_dir(p.scenario.packs_dir, env);
    if (!packs) return bad(fmt::format("{}: packs_dir: {}", p.scenario.source_path, packs.error().message));
    p.packs = std::move(*packs);
    scenario::ReferenceCheck check;
    check.has_provider = [&](std::string_view pack, std::string_view provider) {
        if (provider.empty()) return p.packs.find_pack(pack) != nullptr;
        return p.packs.find(pack, provider).has_value();
    };
    auto names = stubs::profile_names();
    check.has_profile = [&](std::string_view profile) {
        return std::find(names.begin(), names.end(), profile) != names.end() || fs::exists(fs::path(profile));
    };
    if (auto r = scenario::check_references(p.scenario, check); !r) return bad(r.error().message);
    if (!p.scenario.gate.baseline.empty()) {
        auto b = gate::load_baseline(p.scenario.gate.baseline);
        if (!b) return bad(b.error().message);
        p.baseline = std::move(*b);
    }
    auto rules = rules_path.empty() ? classify::builtin_rules() : classify::load_rules(rules_path);
    if (!rules) return bad(rules.error().message);
    p.rules = std::move(*rules);

    p.all_cells = matrix::expand(p.scenario);
    p.cells = p.all_cells;
    if (!sel.only.empty()) p.cells = matrix::filter_only(p.cells, sel.only);
    if (!sel.shard.empty()) {
        auto shard = matrix::parse_shard(sel.shard);
        if (!shard) return usage(shard.error().message);
        p.cells = matrix::select_shard(p.cells, *shard);
    }
    if (!sel.rerun_failed.empty()) {
        auto cells = rerun_cells(p, sel.rerun_failed);
        if (!cells) return std::unexpected(cells.error());
        p.cells = std::move(*cells);
    }
    if (p.cells.empty() && sel.rerun_failed.empty())
        return usage(fmt::format("no cell of {} matches the selection (--only / --shard)", p.scenario.source_path));
    return p;
}

util::Result<HostsUp> bring_up_hosts(const Prepared& prepared, util::SecretRegistry& secrets) {
    HostsUp up;
    const auto& s = prepared.scenario;
    up.clusters.resize(s.hosts.size());
    for (std::size_t h = 0; h < s.hosts.size(); ++h) {
        const auto& host = s.hosts[h];
        runner::HostContext ctx;
        ctx.kind = host.kind;
        ctx.target.name = host.name;
        ctx.target.accept_compliance = host.accept_compliance;
        ctx.target.timeouts = probes::Timeouts{s.timeouts.connect, s.timeouts.total, s.timeouts.idle};
        if (host.kind == scenario::HostKind::real) {
            secrets.add(host.admin_api_key);
            secrets.add(host.admin_password);
            ctx.target.url = host.url;
            ctx.target.admin = {host.admin_api_key, host.admin_email, host.admin_password};
            if (host.reuse_user) {
                secrets.add(host.reuse_user->password);
                ctx.reuse_user = engine::UserCredentials{host.reuse_user->email, host.reuse_user->password};
            }
            up.hosts.push_back(std::move(ctx));
            continue;
        }
        stubs::StubOptions opts;
        opts.host_profile = host.profile;
        opts.fork_admin_key_route = host.fork_admin_key_route;
        std::vector<std::pair<std::string, std::string>> upstream_of;  // stub upstream name, qualified provider
        for (const auto& prov : s.providers) {
            auto def = prepared.packs.find(prov.pack, prov.provider);
            if (!def) return std::unexpected(def.error());
            opts.upstreams.push_back(
                {prov.provider, stub_style(**def), prov.profile.empty() ? "healthy" : prov.profile});
            upstream_of.emplace_back(prov.provider, (*def)->qualified_name());
        }
        auto cluster = stubs::StubCluster::start(opts);
        if (!cluster) return std::unexpected(cluster.error());
        const auto& ep = (*cluster)->endpoints();
        secrets.add(ep.admin_api_key);
        secrets.add(ep.admin_password);
        for (const auto& [name, key] : ep.upstream_keys) secrets.add(key);
        ctx.target.url = ep.host_url;
        ctx.target.admin = {ep.admin_api_key, ep.admin_email, ep.admin_password};
        // Each provider of this host reaches this cluster's own upstream, with its key.
        for (const auto& [stub_name, qualified] : upstream_of) {
            auto url = ep.upstream_urls.find(stub_name);
            auto key = ep.upstream_keys.find(stub_name);
            if (url == ep.upstream_urls.end() || key == ep.upstream_keys.end()) continue;
            ctx.target.upstreams[qualified] = engine::UpstreamOverride{url->second, key->second};
        }
        up.clusters[h] = std::move(*cluster);
        up.hosts.push_back(std::move(ctx));
    }
    return up;
}

}  // namespace crm::harness::session
