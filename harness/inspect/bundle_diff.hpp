#pragma once
// What changed between two bundles of the same matrix: `crm-accept diff A B`. Cells are joined by
// id; each gets one change word, decided from the recorded gate outcomes (never by re-judging
// causes):
//   regressed      A's gate outcome passes (gate::outcome_passes), B's does not
//   recovered      A's does not pass, B's does
//   cause_changed  both pass or both do not, but the cause (or gate word) differs
//   appeared       the cell is recorded in B only
//   vanished       the cell is recorded in A only
//   unchanged      same pass/fail side and same cause
// A cell recorded but not finished (never started, interrupted) does not pass; its "cause" is its
// gate word (not_run, interrupted). For every cell but an unchanged one, the decisive fields
// (decisive_fields.hpp) of both sides are set side by side, rows that differ only.
//
// Trust is the caller's question (verify's check_bundle): it fills BundleSide::problems, and every
// rendering says UNTRUSTED for a side that has any.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/evidence/bundle.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::inspect {

enum class CellChange { regressed, recovered, cause_changed, appeared, vanished, unchanged };
[[nodiscard]] std::string_view to_string(CellChange c) noexcept;

inline constexpr std::string_view k_diff_kind = "crm-accept.diff";
inline constexpr int k_diff_schema_version = 1;

// One bundle as the diff names it.
struct BundleSide {
    std::string dir;
    std::string name;  // folder name
    std::string scenario, label, started_at, status;
    std::vector<std::string> problems;  // why verify does not trust it; empty = trusted
    [[nodiscard]] bool trusted() const { return problems.empty(); }
};

// One cell on one side.
struct CellState {
    std::string cause;  // cause name, or the gate word of a cell that did not finish
    std::string verdict;
    std::string gate_word;
    bool passes = false;
};

// One decisive field whose value differs ("" = absent on that side).
struct FieldChange {
    std::string artifact, pointer, label;
    std::string a, b;
};

struct CellDiff {
    std::string id;
    CellChange change = CellChange::unchanged;
    std::optional<CellState> a, b;  // nullopt on the side that does not record the cell
    std::vector<FieldChange> fields;
};

struct BundleDiff {
    BundleSide a, b;
    std::vector<CellDiff> cells;  // A's matrix order, then cells that appeared in B's order

    [[nodiscard]] std::size_t count(CellChange c) const;
    [[nodiscard]] bool has_regressions() const { return count(CellChange::regressed) > 0; }
};

// Diffs A against B. invalid_input "not comparable" when the scenario names differ.
[[nodiscard]] util::Result<BundleDiff> diff_bundles(const evidence::Bundle& a, const evidence::Bundle& b);

// The side a bundle is seen as (no problems filled).
[[nodiscard]] BundleSide side_of(const evidence::Bundle& b);

// kind crm-accept.diff, schema_version 1: {a, b, counts, cells: [{cell, change, a, b, fields}]};
// `all` keeps unchanged cells.
[[nodiscard]] util::json::object to_json(const BundleDiff& d, bool all);
// For a terminal (no colour): a header per side, one line per cell, fields indented below it.
[[nodiscard]] std::string render_text(const BundleDiff& d, bool all);
// GitHub-flavoured Markdown: the sides, a table of cells, a table of changed fields.
[[nodiscard]] std::string render_markdown(const BundleDiff& d, bool all);

}  // namespace crm::harness::inspect
