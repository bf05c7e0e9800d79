#pragma once
// The board's projections: the terminal table, board.json, and board.md / board.html rendered
// from Mustache templates (templates/board.*.mustache, embedded in the binary like the run
// reports). All take a built Board; none reads files or the clock.
#include <filesystem>
#include <string>

#include "harness/catalog/board.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::catalog {

// board.json: {"schema_version":1,"kind":"crm-accept.board","generated_at",...,"rows":[...],
// "untrusted_bundles":[...]} (docs/EVIDENCE-LIFECYCLE.md lists every field).
[[nodiscard]] util::json::object board_to_json(const Board& board, const std::filesystem::path& root);

// An aligned plain-text table, then the notes and the untrusted bundles. ANSI colours only when
// `color` (the CLI passes false when stdout is not a TTY or NO_COLOR is set).
[[nodiscard]] std::string render_board_table(const Board& board, const std::filesystem::path& root, bool color);

// The data the templates see; `markdown` escapes '|' and folds newlines for table cells.
[[nodiscard]] util::json::object board_view(const Board& board, const std::filesystem::path& root, bool markdown);
[[nodiscard]] util::Result<std::string> render_board_md(const Board& board, const std::filesystem::path& root);
[[nodiscard]] util::Result<std::string> render_board_html(const Board& board, const std::filesystem::path& root);

// "pass", "fail (as expected)", "unproven": the verdict column.
[[nodiscard]] std::string verdict_text(const BoardRow& row);

}  // namespace crm::harness::catalog
