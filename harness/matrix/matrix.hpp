#pragma once
// Matrix expansion: a Scenario becomes an ordered list of cells (hosts × modes × providers, in
// file order). Order is the contract: the runner may finish cells in any order, but every
// listing, summary and merged bundle follows Cell::index.
//
// Selection helpers narrow the list without renumbering (index stays the position in the full
// expansion), which is what makes `--shard 1/2` + `--shard 2/2` merge into exactly the
// unsharded run.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/scenario/scenario.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::matrix {

struct Cell {
    std::size_t index = 0;  // position in the full expansion
    std::string id;         // cell_folder(host_in_id ? host_name : "", mode, provider)
    std::size_t host_index = 0;
    std::string host_name;
    bool host_in_id = false;  // the id (and the cell folder) carries host_name
    scenario::Mode mode = scenario::Mode::self_service;
    std::size_t provider_index = 0;
    std::string pack;
    std::string provider;
    std::string profile;  // stub upstream profile ("" = host-wide)
    std::optional<classify::Cause> expected_cause;
    friend bool operator==(const Cell&, const Cell&) = default;
};

[[nodiscard]] std::vector<Cell> expand(const scenario::Scenario& scenario);

// The one name of a cell's folder, used by the matrix, the bundle writer and every reader:
// "<mode>__<provider>", or "<host>__<mode>__<provider>" when `host` is not empty (a matrix with
// several hosts), each part sanitised to [A-Za-z0-9._-] (a host name "box:8080" gives
// "box-8080"), so the id and the folder never differ.
[[nodiscard]] std::string cell_folder(std::string_view host, std::string_view mode, std::string_view provider);

// The cell as 00-run.json and `plan --json` record it: index, cell (the id), mode, pack,
// provider, profile, expected_cause (null when none). evidence::Bundle reads it back.
[[nodiscard]] util::json::object to_json(const Cell& cell);

// Glob match (`*`, `?`) of one pattern against a cell id.
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

// Keeps cells whose id matches any of the comma-separated patterns. A pattern without a glob
// character also matches as a substring of the id ("deepseek" selects both modes).
[[nodiscard]] std::vector<Cell> filter_only(const std::vector<Cell>& cells, std::string_view patterns);

struct Shard {
    int k = 1;  // 1-based
    int n = 1;
    friend bool operator==(const Shard&, const Shard&) = default;
};

// "K/N" with 1 <= K <= N <= 1000; invalid_input otherwise.
[[nodiscard]] util::Result<Shard> parse_shard(std::string_view text);

// Deterministic round robin over the full-expansion index: cell i belongs to shard (i % N) + 1.
[[nodiscard]] std::vector<Cell> select_shard(const std::vector<Cell>& cells, Shard shard);

// --rerun-failed: the cells of `cells` (the current selection, matrix order) that the earlier run
// was asked to run and did not pass there — failed, interrupted, or never started (no folder).
// `earlier_selection` is that run's recorded cells_selected; nullopt means the whole matrix
// (a bundle that did not record it). Cells outside it (another shard) were never the earlier
// bundle's to pass, so they are not re-run.
[[nodiscard]] std::vector<Cell> select_rerun(const std::vector<Cell>& cells,
                                             const std::optional<std::set<std::string>>& earlier_selection,
                                             const std::set<std::string>& passed);

// Merge's coverage check: the cells of `expected` whose id is not in `present`, in matrix order.
[[nodiscard]] std::vector<Cell> missing_cells(const std::vector<Cell>& expected, const std::set<std::string>& present);

// Resource name prefix for one cell of one run: unique per run token and cell, short, and
// made of characters every sub2api name field accepts ("crm-<token>-<index>-<provider>").
[[nodiscard]] std::string resource_prefix(std::string_view run_token, const Cell& cell);

}  // namespace crm::harness::matrix
