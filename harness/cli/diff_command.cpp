// `crm-accept diff A B [--root DIR] [--all] [--json | --md]`: what changed between two bundles of
// the same scenario (inspect/bundle_diff.hpp): regressed, recovered, cause_changed, appeared and
// vanished cells, with the decisive fields that differ side by side. Unchanged cells are hidden
// unless --all. A bundle that fails verify's checks is still compared, and every output says so.
// Exit: 0 no regression; 1 a cell regressed; 3 a bundle cannot be found or read, or the two are
// not comparable (other scenarios); 64 usage.
#include <fmt/format.h>

#include <memory>
#include <utility>
#include <vector>
#include <ostream>
#include <string>

#include "harness/cli/command.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/verify.hpp"
#include "harness/inspect/bundle_diff.hpp"
#include "harness/inspect/named_bundle.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

struct DiffOptions {
    std::string root = evidence::k_default_bundle_root;
    std::string a, b;
    bool all = false;
    bool json = false;
    bool markdown = false;
};

// Why verify would not trust the bundle; a check that cannot run is a problem too.
std::vector<std::string> trust_problems(const evidence::Bundle& b) {
    auto report = evidence::check_bundle(b.dir, nullptr);
    if (!report) return {report.error().message};
    auto problems = report->problems();
    if (problems.empty() && !report->complete()) {
        problems.push_back(fmt::format("the run did not finish (00-run.json status '{}')", report->run_status));
    }
    return problems;
}

ExitCode run_diff(const DiffOptions& opts, CommandContext& ctx) {
    auto a = inspect::open_named_bundle(opts.root, opts.a);
    if (!a) {
        ctx.err << "crm-accept diff: A: " << a.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto b = inspect::open_named_bundle(opts.root, opts.b);
    if (!b) {
        ctx.err << "crm-accept diff: B: " << b.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto d = inspect::diff_bundles(*a, *b);
    if (!d) {
        ctx.err << "crm-accept diff: " << d.error().message << "\n";
        return ExitCode::harness_error;
    }
    d->a.problems = trust_problems(*a);
    d->b.problems = trust_problems(*b);
    if (opts.json)
        ctx.out << util::pretty(inspect::to_json(*d, opts.all));
    else if (opts.markdown)
        ctx.out << inspect::render_markdown(*d, opts.all);
    else
        ctx.out << inspect::render_text(*d, opts.all);
    for (auto [tag, side] : {std::pair{'A', &d->a}, std::pair{'B', &d->b}}) {
        if (!side->trusted()) {
            ctx.err << fmt::format("crm-accept diff: {} ({}) is UNTRUSTED: verify fails: {}\n", tag, side->name,
                                   side->problems.front());
        }
    }
    return d->has_regressions() ? ExitCode::product_failure : ExitCode::gate_passed;
}

}  // namespace

void register_diff(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<DiffOptions>();
    auto* cmd = app.add_subcommand("diff", "What changed between two bundles of the same scenario (exit 1: a regression)");
    cmd->add_option("A", opts->a, "The earlier bundle: a folder, or a unique prefix of its name under --root")->required();
    cmd->add_option("B", opts->b, "The later bundle: a folder, or a unique prefix of its name under --root")->required();
    cmd->add_option("--root", opts->root, "Evidence root the bundle prefixes are looked up in")->capture_default_str();
    cmd->add_flag("--all", opts->all, "Also list unchanged cells");
    auto* as_json = cmd->add_flag("--json", opts->json, "Machine-readable output (kind crm-accept.diff)");
    auto* as_md = cmd->add_flag("--md", opts->markdown, "Markdown (GitHub-friendly tables)");
    as_json->excludes(as_md);
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_diff(*opts, ctx); }; });
}

}  // namespace crm::harness
