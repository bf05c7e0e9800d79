#pragma once
// Checks, before any network call, that every selected cell's provider has its upstream key.
//
// The packs name where a key lives (key_source.env / key_source.file); the scenario's own
// ${VAR}s are checked by the parser, but a pack's key is read by the engine only at import time,
// which on a real host comes after the health, capability and preview calls. An operator who
// forgot `export DEEPSEEK_API_KEY=...` must learn it in one line, not from six harness_error
// cells. A cell whose host has an upstream override for its provider (a stub host) uses the
// override's key, so only the other cells' providers are looked up in `env`.
//
// Every key it resolves is registered in `secrets`: the keys are known before anything of the
// run is named, printed or written (a --label or scenario name equal to one is caught).
//
// Error: missing_secret, one line `scenario:line: matrix.providers[i]: <resolve_key's reason>`
// for the first provider whose key is missing; the key values themselves are never kept here.
#include <vector>

#include "engine/packs/pack_catalog.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::harness::session {

[[nodiscard]] util::Result<void> check_upstream_keys(const scenario::Scenario& scenario,
                                                     const std::vector<matrix::Cell>& cells,
                                                     const engine::PackCatalog& packs,
                                                     const std::vector<runner::HostContext>& hosts,
                                                     const util::EnvLookup& env, util::SecretRegistry& secrets);

}  // namespace crm::harness::session
