// crm-accept: the composition root. Builds the real environment, registers the command table,
// parses argv, runs the chosen command, and maps every outcome to one ExitCode. Exceptions are
// bugs: they are caught here, once, and reported as harness errors.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/cli/did_you_mean.hpp"
#include "harness/evidence/clock.hpp"
#include "util/version.hpp"

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_aborted{false};

// The first signal asks for a graceful stop (roll back, then exit 130); the second stops
// waiting on the network (the run prints what is still owned and how to recover it).
extern "C" void on_signal(int) {
    if (g_interrupted.exchange(true)) g_aborted.store(true);
}

}  // namespace

int main(int argc, char** argv) {
    using crm::harness::ExitCode;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);

    crm::harness::CommandContext ctx{std::cout, std::cerr, crm::util::process_env(), g_interrupted, false, false, {}};
    ctx.aborted = &g_aborted;
    ctx.stdout_is_tty = ::isatty(STDOUT_FILENO) != 0;
    ctx.color = ctx.stdout_is_tty && std::getenv("NO_COLOR") == nullptr;
    ctx.stderr_is_tty = ::isatty(STDERR_FILENO) != 0;
    ctx.stderr_color = ctx.stderr_is_tty && std::getenv("NO_COLOR") == nullptr;

    CLI::App app{"crm-accept: acceptance harness and evidence generator for sub2api relay hosts"};
    app.set_version_flag("--version", std::string(crm::util::k_tool_version) + " (" + crm::util::k_git_sha + ")");
    app.require_subcommand(1);
    crm::harness::register_run(app, ctx);
    crm::harness::register_plan(app, ctx);
    crm::harness::register_merge(app, ctx);
    crm::harness::register_verify(app, ctx);
    crm::harness::register_list(app, ctx);
    crm::harness::register_show(app, ctx);
    crm::harness::register_diff(app, ctx);
    crm::harness::register_board(app, ctx);
    crm::harness::register_prune(app, ctx);
    crm::harness::register_status(app, ctx);
    crm::harness::register_engine(app, ctx);
    crm::harness::register_stubhost(app, ctx);
    crm::harness::register_serve(app, ctx);

    // Usage errors are one line, naming what was wrong; an unknown command is named as such, with
    // the command it is a typo of (CLI11 would only say that a subcommand is required).
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("crm-accept: ") + e.what() + " (see --help)\n";
    });
    const auto known = app.get_subcommands([&](CLI::App* sub) { return argc > 1 && sub->check_name(argv[1]); });
    if (argc > 1 && argv[1][0] != '-' && known.empty()) {
        std::vector<std::string> names;
        for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
        if (auto near = crm::harness::cli::did_you_mean(argv[1], names)) {
            std::cerr << fmt::format("crm-accept: unknown command '{}' (did you mean '{}'?)\n", argv[1], *near);
        } else {
            std::cerr << fmt::format("crm-accept: unknown command '{}' (commands: {}; see --help)\n", argv[1],
                                     fmt::join(names, ", "));
        }
        return crm::harness::to_int(ExitCode::usage);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : crm::harness::to_int(ExitCode::usage);
    }
    if (auto bad = crm::harness::evidence::clock_override_error()) {
        std::cerr << "crm-accept: " << *bad << "\n";
        return crm::harness::to_int(ExitCode::usage);
    }
    try {
        if (!ctx.action) return crm::harness::to_int(ExitCode::usage);
        ExitCode code = ctx.action();
        if (g_interrupted.load() && code != ExitCode::audit_failed && !ctx.signal_is_stop) code = ExitCode::interrupted;
        return crm::harness::to_int(code);
    } catch (const std::exception& e) {
        std::cerr << "crm-accept: internal error: " << e.what() << "\n";
        return crm::harness::to_int(ExitCode::harness_error);
    }
}
