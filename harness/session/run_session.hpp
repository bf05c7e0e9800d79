#pragma once
// One `run` of a scenario matrix, from its inputs to a finished, checked evidence bundle, as a
// value the caller prints. The sequence, in order:
//   prepare      scenario, packs, baseline, rules, selection; the --label checks. No network.
//   start hosts  in-process stub hosts, every secret registered, upstream keys checked, the
//                bundle folder, the engine state (run_state.hpp) and 00-run.json "incomplete"
//   run cells    the cell pipeline over the scheduler (progress to RunDeps::events), stub hosts
//                stopped, the engine state kept or deleted
//   gate         the cells' own decisions combined (gate::decide_run)
//   finalize     summaries, reports, MANIFEST.sha256 and verify's check of the bundle
// A phase that fails ends the run there: RunResult says why in one line, with its exit code.
//
// With "engine": {"via": "serve"} the run's engine writes go through the control plane
// (serve_engine.hpp), set up between the engine state and 00-run.json; its child process ends
// when the cells are done, or with the session whatever way it ends.
//
// Exit code: the gate's; 130 when interrupted (whatever the bundle check found: a second signal
// may leave a step's files unwritten); 4 when the finished bundle fails verify's checks; 3 for
// invalid input or a harness failure, 64 for a bad --label or selection, 0 with a message when
// --rerun-failed finds nothing to re-run.
//
// The session never prints. It owns the run's SecretRegistry: whatever the caller prints from
// the result goes through secrets().scrub(). It is neither copied nor moved (the bundle writer
// and the pipeline borrow its members); the stub hosts and host leases live as long as it does.
#include <atomic>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/cli/exit_code.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/gate/gate.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "harness/runner/runner.hpp"
#include "harness/session/run_setup.hpp"
#include "harness/session/run_state.hpp"
#include "harness/session/serve_engine.hpp"
#include "probes/http/transport.hpp"
#include "util/env_expand.hpp"
#include "util/secrets.hpp"

namespace crm::harness::session {

struct RunRequest {
    std::string scenario_path;  // resolved by the caller (default_scenario_path)
    std::filesystem::path out = evidence::k_default_bundle_root;
    SelectionOptions selection;
    unsigned jobs = 0;              // cells in parallel; 0 = all cells, at most 8
    std::string label;              // "" = the scenario's own
    std::string rules_path;         // "" = the built-in classifier rules
    std::vector<std::string> argv;  // recorded (redacted) in 00-run.json
    // The crm-accept binary a scenario with "engine": {"via": "serve"} starts its control plane from.
    std::filesystem::path self_exe = "/proc/self/exe";
};

// What the session borrows from its caller; each must outlive the session.
struct RunDeps {
    util::EnvLookup env;
    probes::HttpTransport& http;                 // every host and upstream call (wrapped so `aborted` ends them)
    runner::RunEvents& events;                   // progress, called from worker threads
    const std::atomic<bool>& interrupted;        // first SIGINT/SIGTERM: start no more cells
    const std::atomic<bool>* aborted = nullptr;  // second one: stop waiting on hosts (null: never)
};

struct RunResult {
    ExitCode exit_code = ExitCode::harness_error;
    // The line to report on stderr when the run ended before its summary (as `crm-accept run`
    // words it), or that --rerun-failed had nothing to run; "" otherwise.
    std::string message;
    // True once cells ran and the bundle was finalized: the fields below describe the run.
    bool finished = false;
    bool interrupted = false;
    std::vector<runner::CellReport> cells;  // matrix order
    gate::GateDecision decision;            // failed when the bundle fails its check
    evidence::RunSummary summary;           // as written to the bundle
    evidence::VerifyReport check;           // verify's check of the bundle as written
    std::filesystem::path bundle_dir;
    StateOutcome state;  // set once cells ran, also when finalizing failed

    [[nodiscard]] bool bundle_passed() const { return check.trustworthy(); }
};

class RunSession {
  public:
    RunSession(RunRequest request, RunDeps deps);
    ~RunSession();
    RunSession(const RunSession&) = delete;
    RunSession& operator=(const RunSession&) = delete;

    // Runs every phase in order; call once.
    [[nodiscard]] RunResult run();

    // Every secret the run used; scrub anything printed from the result with it.
    [[nodiscard]] const util::SecretRegistry& secrets() const { return m_secrets; }

  private:
    struct Stop {
        ExitCode code;
        std::string message;
    };
    using Phase = std::expected<void, Stop>;

    [[nodiscard]] Phase prepare();
    [[nodiscard]] Phase start_hosts();
    [[nodiscard]] Phase open_bundle();
    // via serve: the control plane started or reached, hosts registered, packs installed.
    [[nodiscard]] Phase start_engine();
    void run_cells();
    void gate();
    [[nodiscard]] Phase finalize();
    [[nodiscard]] util::json::value matrix_json() const;

    RunRequest m_request;
    RunDeps m_deps;
    util::SecretRegistry m_secrets;
    std::optional<Prepared> m_prepared;
    std::optional<HostsUp> m_up;
    std::optional<evidence::BundleWriter> m_writer;
    std::optional<RunState> m_state;
    std::unique_ptr<probes::HttpTransport> m_http;  // m_deps.http, ended by `aborted`
    std::unique_ptr<ServeEngine> m_serve;           // via serve only; stopped when the cells are done
    std::string m_token;                            // names this run's host resources
    runner::RunFacts m_facts;
    gate::GatePolicyInput m_policy;
    RunResult m_result;
};

}  // namespace crm::harness::session
