#pragma once
// What a run still owns on its real hosts once its cells have returned, read from the run's
// engine state (the rows a rollback did not confirm gone), and the exact engine command that
// removes it. `run` prints both when it keeps the state file: after a second SIGINT/SIGTERM cut
// the rollback short, or when cells left resources (rollback off, rollback_incomplete).
#include <string>
#include <vector>

#include "engine/store/state_store.hpp"
#include "util/error.hpp"

namespace crm::harness::session {

// How the run reached one real host: the URL and the variables its admin credentials came from.
struct RecoverTarget {
    std::string url;
    std::string admin_api_key_env;  // "" when the scenario wrote the key literally
    std::string admin_email;        // login instead of a key (when no key was given)
    std::string admin_password_env;
};

struct HostLeftovers {
    std::string url;
    std::vector<std::string> lines;  // one per resource or balance credit that may still be there
    std::string recover_command;     // crm-accept engine recover --db ... --host-url ... (+ admin flags)
};

// One entry per target that still owns something (in target order); empty when nothing is left.
// A batch counts unless it is rolled_back; its intent, created and delete_failed rows count (an
// intent may exist on the host), and so do balance credits not taken back.
[[nodiscard]] util::Result<std::vector<HostLeftovers>> still_owned(engine::StateStore& store,
                                                                   const std::vector<RecoverTarget>& targets);

// `crm-accept engine recover` for one host of `db`: never a secret, only the variables' names.
// A key written literally in the scenario is expected in SUB2API_ADMIN_KEY (the engine default).
[[nodiscard]] std::string recover_command(const std::string& db, const RecoverTarget& target);

}  // namespace crm::harness::session
