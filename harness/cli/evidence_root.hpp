#pragma once
// What board, prune and status share: the evidence root they read, the board built from it with
// each proving bundle's scenario max age, and the parsing of their duration and size flags (one
// line on stderr naming the flag, then exit 64).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/catalog/board.hpp"
#include "harness/catalog/catalog.hpp"
#include "harness/cli/command.hpp"
#include "harness/evidence/bundle_writer.hpp"

namespace crm::harness::cli {

inline constexpr const char* k_default_evidence_root = evidence::k_default_bundle_root;  // where run writes

// Catalog::open over `root`. On failure prints `crm-accept <verb>: <message>` and returns nullopt
// (the caller exits 3: a missing root is not_found, anything else io).
[[nodiscard]] std::optional<catalog::Catalog> open_root(std::string_view verb, const std::string& root, bool reindex,
                                                        CommandContext& ctx);

// The board as of evidence::now() (CRM_ACCEPT_NOW honoured). Each trusted bundle's row is judged
// by its scenario's gate.max_evidence_age when that file can still be read (scenario_gate.hpp),
// otherwise by 24h; `max_age` overrides both.
[[nodiscard]] catalog::Board board_of(const catalog::Catalog& catalog, std::optional<std::chrono::seconds> max_age);

// "" -> nullopt without error. A bad value prints `crm-accept <verb>: <flag>: <reason>` and sets
// `bad`.
[[nodiscard]] std::optional<std::chrono::seconds> duration_flag(std::string_view verb, std::string_view flag,
                                                                const std::string& text, CommandContext& ctx,
                                                                bool& bad);
[[nodiscard]] std::optional<std::uint64_t> size_flag(std::string_view verb, std::string_view flag,
                                                     const std::string& text, CommandContext& ctx, bool& bad);

}  // namespace crm::harness::cli
