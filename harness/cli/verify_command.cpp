// `crm-accept verify BUNDLE [--json]`: evidence::verify (the check `run` also ends with): layout,
// manifest, secret shapes, UTF-8, JSON and schema_version, the recorded artifact plan, and that
// the run completed. One line per problem on stdout.
// Exit: 0 clean; 4 any check but completeness failed (even when also incomplete); 3 not a
// bundle, unreadable, or an honest bundle of a run that did not finish (one line on stderr
// naming the path and why).
#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <string>

#include "harness/cli/command.hpp"
#include "harness/evidence/verify.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

struct VerifyOptions {
    std::string bundle;
    bool json = false;
};

ExitCode run_verify(const VerifyOptions& opts, CommandContext& ctx) {
    auto report = evidence::verify(opts.bundle);
    if (!report) {
        ctx.err << "crm-accept verify: " << report.error().describe() << "\n";
        return ExitCode::harness_error;
    }
    if (opts.json)
        ctx.out << util::pretty(evidence::to_json(*report));
    else
        ctx.out << evidence::describe(*report);
    if (!report->trustworthy()) return ExitCode::audit_failed;
    if (!report->complete()) {
        // Not tampered with, just not finished: exit 4 would tell the operator "do not share, report
        // it" for an ordinary Ctrl-C. It is still not evidence of a run, so never 0.
        ctx.err << fmt::format(
            "crm-accept verify: {}: the run did not finish (00-run.json status '{}'): not valid "
            "evidence; re-run it (run --rerun-failed {})\n",
            opts.bundle, report->run_status.empty() ? "missing" : report->run_status, opts.bundle);
        return ExitCode::harness_error;
    }
    return ExitCode::gate_passed;
}

}  // namespace

void register_verify(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<VerifyOptions>();
    auto* cmd = app.add_subcommand(
        "verify", "Check a bundle: layout, manifest, secrets, UTF-8/JSON/schema_version, artifact plan, completeness");
    cmd->add_option("BUNDLE", opts->bundle, "Bundle directory")->required();
    cmd->add_flag("--json", opts->json, "Machine-readable report");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_verify(*opts, ctx); }; });
}

}  // namespace crm::harness
