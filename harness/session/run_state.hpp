#pragma once
// The engine state of one run. It holds the probe users' passwords and keys, so it lives outside
// the bundle: $TMPDIR/crm-accept-<token>/state.sqlite (directory 0700, file 0600). While the run
// is alive it holds a shared lease on each real host it names, so an `engine recover` on the
// file refuses instead of removing a live run's batches (a killed run releases it).
//
// When the cells have returned, settle() decides the file's fate: it is deleted when nothing can
// be left on a real host, and kept otherwise (cells that imported and were not rolled back, rows
// a rollback did not confirm gone, or state that cannot be read): it is then the only record of
// what is still there.
#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/host_lease.hpp"
#include "engine/store/state_store.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/runner.hpp"
#include "harness/scenario/scenario.hpp"
#include "harness/session/still_owned.hpp"
#include "util/error.hpp"

namespace crm::harness::session {

// What settle() decided, and what a caller reports when the file is kept.
struct StateOutcome {
    bool kept = false;                      // the file stays: something may still be on a real host
    bool stopped_waiting = false;           // kept after a second interrupt cut the rollback short
    long left_on_host = 0;                  // cells that imported and were not rolled back
    std::string engine_state;               // the kept file ("" when it was deleted)
    std::vector<HostLeftovers> owned;       // per real host that still owns something
    std::optional<std::string> unreadable;  // why the state could not be read (then kept)
    friend bool operator==(const StateOutcome&, const StateOutcome&) = default;
};

class RunState {
  public:
    // Creates the directory (0700) and opens the store in it. On a store error the directory is
    // removed again and the error returned; a filesystem error throws (a harness bug in main).
    [[nodiscard]] static util::Result<RunState> create(const std::string& token);
    // The state file of a running control plane the run drives (engine.url + engine.state_file):
    // opened, never deleted (drop() and settle() leave it to its server).
    [[nodiscard]] static util::Result<RunState> attach(const std::filesystem::path& file);

    [[nodiscard]] engine::StateStore& store() { return m_store; }
    [[nodiscard]] std::filesystem::path file() const { return m_store.path(); }

    // A shared lease per real host (URL without trailing '/'), held until this object dies. A host
    // the store cannot record or lease is skipped: the engine reports store failures itself.
    void lease_real_hosts(const std::vector<runner::HostContext>& hosts);

    // Keeps or deletes the file (see above). `hosts` and `specs` are by host index; `aborted`
    // (null: never) is set when a second interrupt stopped the run waiting on its hosts.
    [[nodiscard]] StateOutcome settle(const std::vector<runner::CellReport>& reports,
                                      const std::vector<runner::HostContext>& hosts,
                                      const std::vector<scenario::HostSpec>& specs, const std::atomic<bool>* aborted);

    // Removes the directory and everything in it (errors ignored); nothing for an attached file.
    void drop();

  private:
    RunState(std::filesystem::path dir, engine::StateStore store) : m_dir(std::move(dir)), m_store(std::move(store)) {}
    std::filesystem::path m_dir;  // empty when attached
    engine::StateStore m_store;
    std::vector<engine::store::HostLease> m_leases;
};

}  // namespace crm::harness::session
