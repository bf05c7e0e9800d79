#pragma once
// BundleEntry and CellEntry as JSON: the cells column of the catalog index and the rows of
// `list --json` (and the other operator verbs' --json). Names are the enums' own words; absent
// optionals are null. Reading back refuses unknown words (invalid_input naming `source` and the
// field): an index row that does not read is re-read from its bundle, never guessed.
#include <string_view>
#include <vector>

#include "harness/catalog/bundle_entry.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::catalog {

[[nodiscard]] util::json::object to_json(const CellEntry& c);
[[nodiscard]] util::Result<CellEntry> cell_entry_from_json(const util::json::value& v, std::string_view source);

[[nodiscard]] util::json::array cells_to_json(const std::vector<CellEntry>& cells);
[[nodiscard]] util::Result<std::vector<CellEntry>> cells_from_json(const util::json::value& v,
                                                                   std::string_view source);

// Every field of the entry (dir as a string, `started` omitted: it is started_at parsed), plus
// host_key and verdict_counts for readers that do not recompute them.
[[nodiscard]] util::json::object to_json(const BundleEntry& e);

}  // namespace crm::harness::catalog
