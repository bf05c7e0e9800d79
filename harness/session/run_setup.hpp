#pragma once
// Everything a run resolves before the first cell starts: the scenario, packs (loaded once, with
// the environment the caller passes), references, baseline, rules, matrix selection, and the
// in-process stub hosts with the upstream overrides that point each stub host's providers at its
// own stub upstreams. Every input error here is reported before any network call.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/packs/pack_catalog.hpp"
#include "harness/classify/rule_set.hpp"
#include "harness/gate/baseline.hpp"
#include "harness/matrix/matrix.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/scenario/scenario.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/env_expand.hpp"
#include "util/secrets.hpp"

namespace crm::harness::session {

struct SelectionOptions {
    std::string only;
    std::string shard;         // "K/N" or ""
    std::string rerun_failed;  // bundle path or ""
};

struct Prepared {
    scenario::Scenario scenario;
    engine::PackCatalog packs;
    std::optional<gate::Baseline> baseline;
    classify::RuleSet rules;
    std::vector<matrix::Cell> all_cells;
    std::vector<matrix::Cell> cells;  // selected
};

enum class PrepareFailure {
    invalid_input,  // exit 3
    usage,          // exit 64
    untrustworthy   // --rerun-failed BUNDLE whose MANIFEST.sha256 does not hold: exit 4, as verify
};

struct PrepareError {
    PrepareFailure kind = PrepareFailure::invalid_input;
    std::string message;
};

// Where `run` and `plan` without a scenario look for scenarios/default.json, in order:
// $CRM_ACCEPT_HOME; from the binary's directory upwards, each directory and its
// share/crm-accept (a build tree inside the checkout; `cmake --install`'s <prefix>/bin and
// <prefix>/share/crm-accept); the working directory. The default scenario names its packs
// relative to itself (../packs), so the packs are found wherever it is.
[[nodiscard]] std::vector<std::filesystem::path> default_scenario_candidates(const util::EnvLookup& env);
// The first candidate that is a file; invalid_input naming every place it looked and
// CRM_ACCEPT_HOME otherwise.
[[nodiscard]] util::Result<std::string> default_scenario_path(const util::EnvLookup& env);

// Scenario + packs + references + baseline + rules + selection. No network.
// --rerun-failed BUNDLE must be a bundle of this very scenario (sha256 in its 00-run.json) whose
// manifest holds; an interrupted (incomplete) one is accepted. It selects every cell of the
// current selection that BUNDLE was asked to run and did not pass, including cells it never
// started; an empty `cells` then means every such cell passed.
[[nodiscard]] std::expected<Prepared, PrepareError> prepare(const std::string& scenario_path,
                                                            const util::EnvLookup& env,
                                                            const SelectionOptions& selection,
                                                            const std::string& rules_path);

// Running stub hosts for the stub entries of the scenario (one cluster per stub host) and the
// host contexts the pipeline needs. A stub host's context carries one upstream override per
// scenario provider, naming that host's own stub upstream and key; a real host's has none.
struct HostsUp {
    std::vector<std::unique_ptr<stubs::StubCluster>> clusters;  // by host index (null for real)
    std::vector<runner::HostContext> hosts;                     // by host index
};

// Starts the stubs, registers every credential in `secrets` (admin keys and passwords, the
// reused user's password, every stub upstream key). invalid_input/io on failure.
[[nodiscard]] util::Result<HostsUp> bring_up_hosts(const Prepared& prepared, util::SecretRegistry& secrets);

}  // namespace crm::harness::session
