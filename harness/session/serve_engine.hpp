#pragma once
// A run's engine behind the control plane ("engine": {"via": "serve"}, docs/SCENARIOS.md): the
// control plane started (its own child process, plane_process.hpp) or reached (engine.url), every
// run host registered with it (POST /api/hosts) and every pack the selected cells use installed
// (POST /api/packs), before the first cell.
//
// The run's own control plane reads the run's state file and a pack directory written for it:
// the scenario's packs, with each stub-host provider pointed at that host's stub upstream (its
// URL in the pack, its key in a variable of the child's environment only) — a control plane
// knows no per-host upstream overrides. Credentials the API takes only as variable names (an
// admin password, a reused user's password) reach the child the same way; with engine.url they
// must be ${VAR} references the running server also has.
//
// Failure, before any cell runs: environment_blocked (exit 2) when the control plane cannot be
// reached, started or authenticated, or its token variable is unset; harness_error (exit 3) for
// what the scenario asks that the control plane cannot do.
#include <expected>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/cli/exit_code.hpp"
#include "harness/runner/serve_ops.hpp"
#include "harness/serve/plane_client.hpp"
#include "harness/session/plane_process.hpp"
#include "harness/session/run_setup.hpp"
#include "util/env_expand.hpp"
#include "util/secrets.hpp"

namespace crm::harness::session {

struct ServeEngine {
    std::unique_ptr<PlaneProcess> process;  // null with engine.url
    std::unique_ptr<serve::PlaneClient> client;
    runner::ServePlane plane;  // points at `client`; do not move the ServeEngine after start
    std::string url;
};

struct ServeFailure {
    ExitCode code = ExitCode::environment_blocked;
    std::string message;
};

struct ServeInputs {
    const Prepared& prepared;
    const HostsUp& up;
    std::filesystem::path state_file;  // the run's (own control plane) or engine.state_file
    std::filesystem::path work_dir;    // the run's state directory: pack copies, port file, log
    const util::EnvLookup& env;
    probes::HttpTransport& http;
    util::SecretRegistry& secrets;
    std::filesystem::path exe;  // the crm-accept binary to start
};

// Fills `out` (heap-allocated by the caller so `plane` can point at its client).
[[nodiscard]] std::expected<void, ServeFailure> start_serve_engine(const ServeInputs& in, ServeEngine& out);

}  // namespace crm::harness::session
