// `crm-accept list [--root DIR] [--json] [--reindex] [--scenario NAME] [--host SUBSTR]
// [--since WHEN] [--incomplete]`: one row per bundle under the evidence root, oldest first, read
// through the catalog (and its index, refreshed on every call).
// Exit: 0 listed (also when nothing matches); 3 the root is missing or unreadable (one line on
// stderr naming it); 64 usage (a bad --since names the flag and the value).
#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <string>

#include "harness/catalog/bundle_filter.hpp"
#include "harness/catalog/catalog.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/list_format.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/clock.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

struct ListOptions {
    std::string root = evidence::k_default_bundle_root;
    bool json = false;
    bool reindex = false;
    std::string scenario;
    std::string host;
    std::string since;
    bool incomplete = false;
};

ExitCode run_list(const ListOptions& opts, CommandContext& ctx) {
    const auto now = evidence::now();
    catalog::BundleFilter filter{opts.scenario, opts.host, std::nullopt, opts.incomplete};
    if (!opts.since.empty()) {
        filter.since = catalog::parse_since(opts.since, now);
        if (!filter.since) {
            ctx.err << fmt::format(
                "crm-accept list: --since '{}': expected an ISO-8601 instant with an offset "
                "(2026-11-01T09:00:00+08:00) or a duration like 24h, 7d\n",
                opts.since);
            return ExitCode::usage;
        }
    }
    auto cat = catalog::Catalog::open({opts.root, opts.reindex, true});
    if (!cat) {
        ctx.err << "crm-accept list: " << cat.error().message << "\n";
        return ExitCode::harness_error;
    }
    for (const auto& w : cat->stats().warnings) ctx.err << "crm-accept list: warning: " << w << "\n";
    std::vector<const catalog::BundleEntry*> shown;
    for (const auto& e : cat->bundles()) {
        if (filter.matches(e)) shown.push_back(&e);
    }
    if (opts.json) {
        ctx.out << util::pretty(cli::list_json(cat->root(), shown, cat->stats(), now));
    } else if (shown.empty()) {
        ctx.out << fmt::format("no bundles under {}{}\n", cat->root().string(),
                               cat->bundles().empty() ? "" : " match the filters");
    } else {
        ctx.out << cli::list_table(shown, now);
    }
    return ExitCode::gate_passed;
}

}  // namespace

void register_list(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<ListOptions>();
    auto* cmd = app.add_subcommand("list", "List the evidence bundles under an evidence root, oldest first");
    cmd->add_option("--root", opts->root, "Evidence root")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Machine-readable list (schema_version 1)");
    cmd->add_flag("--reindex", opts->reindex, "Rebuild the root's index (.crm-index.sqlite) from the bundles");
    cmd->add_option("--scenario", opts->scenario, "Only bundles of this scenario");
    cmd->add_option("--host", opts->host, "Only bundles whose host URL or host key contains this");
    cmd->add_option("--since", opts->since, "Only bundles started since an ISO-8601 instant or a duration ago (24h, 7d)");
    cmd->add_flag("--incomplete", opts->incomplete, "Only bundles that are not trusted and complete");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_list(*opts, ctx); }; });
}

}  // namespace crm::harness
