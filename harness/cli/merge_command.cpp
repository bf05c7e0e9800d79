// `crm-accept merge A B ... --out DIR`: joins shard bundles of one scenario into one bundle equal
// to an unsharded run (session::merge_bundles) and prints its cells and gate, or its summary with
// --json; under CI also the step summary, workflow commands and --dotenv (ci/ci_outputs.hpp).
// Any refusal is one line on stderr, writes nothing and exits 3 (4 when a manifest does
// not hold); a merged bundle that fails verify's checks exits 4.
#include <fmt/format.h>

#include <ostream>

#include "harness/ci/ci_outputs.hpp"
#include "harness/ci/workflow_commands.hpp"
#include "harness/cli/command.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/session/merge_session.hpp"

namespace crm::harness {

namespace {

struct MergeOptions {
    std::vector<std::string> inputs;
    std::string out = "artifacts/real-host-acceptance";
    std::string label;
    bool json = false;
    std::string dotenv;
};

void print_merged(std::ostream& os, const session::MergeResult& r, bool as_json) {
    if (as_json) {
        auto s = evidence::summary_json(r.summary, "complete");
        s["bundle"] = r.bundle_dir.string();
        if (auto* arr = s.if_contains("cells"); arr && arr->is_array()) {
            for (std::size_t i = 0; i < arr->as_array().size() && i < r.cells.size(); ++i)
                if (arr->as_array()[i].is_object()) arr->as_array()[i].as_object()["cell"] = r.cells[i].cell.id;
        }
        os << util::pretty(s);
        return;
    }
    for (const auto& c : r.cells)
        os << fmt::format("{:<36} {}\n", c.cell.id, classify::to_string(c.classification.cause));
    os << fmt::format("gate: {} (exit {})\nbundle: {}\n", r.summary.gate.passed ? "PASSED" : "FAILED",
                      r.summary.exit_code, r.bundle_dir.string());
}

ExitCode merge(const MergeOptions& o, CommandContext& ctx) {
    const auto ci_request = ci::ci_request(ctx.env, o.dotenv);
    // The merged text comes from shard bundles that were scrubbed when written and passed
    // verify's audit on the way in; merge knows no secret values of its own to scrub.
    const auto as_is = [](std::string_view text) { return std::string(text); };
    std::ostream& commands_os = o.json ? ctx.err : ctx.out;  // stdout stays pure JSON with --json
    auto r = session::merge_bundles({o.inputs, o.out, o.label}, ctx.env);
    if (!r.finished) {
        ctx.err << r.message << "\n";
        if (ci_request.github_actions)
            commands_os << fmt::format("::error title=crm-accept merge::{}\n", ci::escape_data(r.message));
        return r.exit_code;
    }
    print_merged(ctx.out, r, o.json);
    if (!r.bundle_passed()) {
        for (const auto& line : r.check.problems()) ctx.err << "merge: bundle check: " << line << "\n";
        ctx.err << "merge: the merged bundle does not pass verify; do not share it\n";
    }
    for (const auto& p : ci::publish(ci_request, r.summary, "complete", r.bundle_dir, as_is, commands_os))
        ctx.err << "merge: warning: " << p << "\n";
    return r.exit_code;
}

}  // namespace

void register_merge(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<MergeOptions>();
    auto* cmd =
        app.add_subcommand("merge", "Join shard bundles of one scenario into one bundle (re-gated, re-manifested)");
    cmd->add_option("bundles", opts->inputs, "Shard bundles")->required();
    cmd->add_option("--out", opts->out, "Bundle root directory for the merged bundle")->capture_default_str();
    cmd->add_option("--label", opts->label, "Label of the merged bundle (default: the shards' label)");
    cmd->add_flag("--json", opts->json, "Print the merged summary as JSON");
    cmd->add_option("--dotenv", opts->dotenv,
                    "Also write CRM_GATE, CRM_EXIT, CRM_BUNDLE, CRM_BUNDLE_NAME to FILE (GitLab dotenv report)");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return merge(*opts, ctx); }; });
}

}  // namespace crm::harness
