#pragma once
// Engine internals: find, check and delete one owned host resource by kind. Shared by
// rollback, recover and reconcile so all three agree on what "still on the host" means.
//
// - find_by_name: the host id of a resource journaled as an intent (no host id yet), looked up
//   by its unique name (groups, accounts, channels: name; users: email; keys: name within the
//   user; subscriptions: the active one for the spec's user and group). nullopt when absent.
// - exists: the resource is still on the host (a subscription counts only while active; a key
//   only while its user lists it).
// - remove: deletes it; a 404 counts as already gone. API keys are deleted as their user (login
//   with the stored credentials) because sub2api has no admin key-delete route; when that is
//   impossible and the key's user is owned by the same batch, deleting the user removes it.
#include <cstdint>
#include <optional>

#include "engine/ops/op_context.hpp"
#include "engine/store/state_store.hpp"
#include "util/error.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<std::optional<std::int64_t>> find_by_name(OpContext& ctx, const ResourceRecord& r);
[[nodiscard]] util::Result<bool> exists_on_host(OpContext& ctx, const ResourceRecord& r);
[[nodiscard]] util::Result<void> remove_from_host(OpContext& ctx, const ResourceRecord& r);

// The spec_json field as int (user_id / group_id for subscriptions and keys).
[[nodiscard]] std::optional<std::int64_t> spec_int(const ResourceRecord& r, std::string_view key);

}  // namespace crm::engine
