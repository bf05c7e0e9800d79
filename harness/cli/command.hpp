#pragma once
// The CLI is a table of commands (house style 18). Each command file provides one
// `register_<name>(CLI::App&, CommandContext&)` that adds a subcommand, binds its options to a
// plain options struct and sets `ctx.action` to the function to run once parsing succeeded.
// main() owns the composition root: the real environment, stdout/stderr, the interrupt flag.
#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <iosfwd>

#include "harness/cli/exit_code.hpp"
#include "util/env_expand.hpp"

namespace crm::harness {

struct CommandContext {
    std::ostream& out;
    std::ostream& err;
    util::EnvLookup env;                   // the process environment, passed down explicitly
    const std::atomic<bool>& interrupted;  // set by the SIGINT/SIGTERM handler
    bool stdout_is_tty = false;
    bool color = false;                // stdout: false when NO_COLOR is set or not a TTY
    std::function<ExitCode()> action;  // chosen by the parsed subcommand
    // Set by a second SIGINT/SIGTERM: stop waiting on the network altogether (null: never).
    const std::atomic<bool>* aborted = nullptr;
    bool stderr_is_tty = false;
    bool stderr_color = false;  // stderr: false when NO_COLOR is set or not a TTY
    // Set by a command for which SIGINT/SIGTERM is the normal way to stop (serve): main then
    // keeps the command's own exit code instead of mapping the signal to 130.
    bool signal_is_stop = false;
};

// run / plan / merge: scenario matrices, the evidence bundle, shard merging.
void register_run(CLI::App& app, CommandContext& ctx);
void register_plan(CLI::App& app, CommandContext& ctx);
void register_merge(CLI::App& app, CommandContext& ctx);
// verify: manifest, secret audit, schema_version, completeness of a bundle.
void register_verify(CLI::App& app, CommandContext& ctx);
// list: the bundles under an evidence root (the catalog and its index).
void register_list(CLI::App& app, CommandContext& ctx);
// show / diff: an earlier bundle read back (a run, a cell's evidence chain), two bundles compared.
void register_show(CLI::App& app, CommandContext& ctx);
void register_diff(CLI::App& app, CommandContext& ctx);
// engine: the provisioning engine's verbs (host-probe, import, access, rollback, ...).
void register_engine(CLI::App& app, CommandContext& ctx);
void register_stubhost(CLI::App& app, CommandContext& ctx);
// serve: the engine's control plane over HTTP until SIGINT/SIGTERM.
void register_serve(CLI::App& app, CommandContext& ctx);
// board / prune / status: an evidence root's truth board, its budget, and keeping within it.
void register_board(CLI::App& app, CommandContext& ctx);
void register_prune(CLI::App& app, CommandContext& ctx);
void register_status(CLI::App& app, CommandContext& ctx);

}  // namespace crm::harness
