#pragma once
// Crash recovery for one host (spec §6, §9 "a kill at any engine step is recoverable"):
// 1. every intent row on this host (an owned create whose answer was never recorded) is looked
//    up on the host by its unique name: found → its host id is recorded; not found → absent;
// 2. interrupted batches (pending / running: their process died) are marked failed and rolled
//    back; rollback_failed batches are rolled back again;
// 3. access closures that never finished (access_status none) on other batches are undone:
//    their user, subscription and key are deleted, so a re-run starts clean.
// The caller holds the host's exclusive lease (store/host_lease.hpp): no live import, access or
// rollback on this host and store can be mistaken for a dead one.
#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<RecoverOutcome> run_recover(OpContext& ctx);

}  // namespace crm::engine
