#pragma once
// Embedded, ordered schema migrations for the state store. Migration i (0-based) brings the
// file from user_version i to i+1. Append only: a shipped migration is never edited.
#include <string_view>
#include <vector>

#include "engine/store/database.hpp"
#include "util/error.hpp"

namespace crm::engine::store {

[[nodiscard]] const std::vector<std::string_view>& migrations();

// Brings `db` to migrations().size() inside one BEGIN IMMEDIATE transaction (safe against a
// second process migrating the same file at the same time). Fails with invalid_input, naming
// both versions, when the file is newer than this build.
[[nodiscard]] util::Result<void> migrate(Database& db);

}  // namespace crm::engine::store
