#pragma once
// Crash recovery for one host: a kill at any engine step is recoverable (docs/ENGINE.md).
//
// What recover is responsible for is decided per batch by its owner:
// - a batch a `crm-accept run` imported (owner_run set) belongs to a run that removes everything
//   it imported before it ends, so whatever its status (pending, running, succeeded, failed,
//   rollback_failed) recover rolls it back: groups, accounts, channel, and its access closures'
//   users, keys, subscriptions and balance credits;
// - a batch imported on its own (`crm-accept engine import`, owner_run empty) is an installed
//   provider: recover only finishes what a dead process left half done. Interrupted batches
//   (pending / running) are marked failed and rolled back, rollback_failed batches are rolled
//   back again, and access closures that never finished (access_status none) have their user,
//   subscription, key and credits undone. Succeeded and failed batches stay (batches_kept).
// Before that, every intent row (an owned create whose answer was never recorded) is looked up
// on the host by its unique name: found → its host id is recorded; not found → absent. A
// rolled_back batch whose resolved intents turned out to exist has those deleted.
//
// Every resource recover deleted is read back from the host; what is still there, what could
// not be read, and every credit not taken back is listed in RecoverOutcome::remaining, and the
// outcome is clean() only when that list is empty.
//
// The caller holds the host's exclusive lease (store/host_lease.hpp): no live import, access or
// rollback on this host and store can be mistaken for a dead one.
#include "engine/model/outcomes.hpp"
#include "engine/ops/op_context.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<RecoverOutcome> run_recover(OpContext& ctx);

}  // namespace crm::engine
