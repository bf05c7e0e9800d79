// `crm-accept verify BUNDLE [--json]`: checks a bundle's manifest, scans it for secret-shaped
// strings, checks schema_version in every JSON and that the run completed.
// Exit: 0 clean; 4 manifest mismatch / missing, secret hit, bad JSON, incomplete run;
// 3 not a bundle or unreadable (one line naming the path).
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
    if (opts.json) ctx.out << util::pretty(evidence::to_json(*report));
    else ctx.out << evidence::describe(*report);
    return report->clean() ? ExitCode::gate_passed : ExitCode::audit_failed;
}

}  // namespace

void register_verify(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<VerifyOptions>();
    auto* cmd = app.add_subcommand("verify", "Check a bundle: manifest, secrets, schema_version, completeness");
    cmd->add_option("BUNDLE", opts->bundle, "Bundle directory")->required();
    cmd->add_flag("--json", opts->json, "Machine-readable report");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_verify(*opts, ctx); }; });
}

}  // namespace crm::harness
