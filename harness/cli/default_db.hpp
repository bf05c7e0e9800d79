#pragma once
// Where the engine's state database lives when --db is not given, for `crm-accept engine` and
// `crm-accept serve` alike (one operator, one state file): $XDG_STATE_HOME/crm-accept/engine.db,
// else ~/.local/state/crm-accept/engine.db, else ./crm-accept-engine.db.
#include <string>

#include "util/env_expand.hpp"

namespace crm::harness {

[[nodiscard]] inline std::string default_db(const util::EnvLookup& env) {
    if (auto x = env("XDG_STATE_HOME"); x && !x->empty()) return *x + "/crm-accept/engine.db";
    if (auto h = env("HOME"); h && !h->empty()) return *h + "/.local/state/crm-accept/engine.db";
    return "crm-accept-engine.db";
}

}  // namespace crm::harness
