#pragma once
// `run --shard auto` / `--shard auto/N`: which shard this CI job is, from the environment CI
// systems set for parallel jobs. Checked in this order, the first whose index is set wins:
//   CRM_SHARD_INDEX + CRM_SHARD_TOTAL   generic, 1-based (any CI, a shell loop)
//   CI_NODE_INDEX + CI_NODE_TOTAL       GitLab CI `parallel: N`, 1-based
//   JOB_COMPLETION_INDEX                Kubernetes Indexed Job, 0-based; the total comes from
//                                       `auto/N` or CRM_SHARD_TOTAL (a Job does not export it)
// `auto/N` fixes the total: an index variable's own total must then agree with it.
// An empty variable counts as unset. Nothing set, a value that is not a number, or an index outside 1..total is
// invalid_input with one line naming the variables (the CLI exits 64).
#include <string>
#include <string_view>

#include "harness/matrix/matrix.hpp"
#include "util/env_expand.hpp"
#include "util/error.hpp"

namespace crm::harness::ci {

// Whether `spec` asks for this: "auto" or "auto/N".
[[nodiscard]] bool is_auto_shard(std::string_view spec) noexcept;

struct AutoShard {
    matrix::Shard shard;
    std::string source;  // the variables it came from, for the log: "CI_NODE_INDEX=2, CI_NODE_TOTAL=3"
    [[nodiscard]] std::string text() const;  // "K/N", as --shard takes it
};

[[nodiscard]] util::Result<AutoShard> resolve_auto_shard(std::string_view spec, const util::EnvLookup& env);

}  // namespace crm::harness::ci
