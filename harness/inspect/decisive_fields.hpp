#pragma once
// The facts a finished cell's verdict rests on, quoted from its artifacts: HTTP statuses, error
// types and codes, error messages, the engine's batch and access states. `show` prints them as the
// evidence chain of a cell, `diff` sets them side by side, and a report can quote the same rows.
//
// What is quoted is data, not code: decisive_field_table() lists (artifact, JSON pointer, label)
// rows in the order a reader follows a cell (host, engine, gateway, upstream, rollback). Only the
// rows whose artifact exists and whose value says something are returned: a null, an empty string
// or a missing key is left out (an empty error code proves nothing). An artifact that is present
// but is not a JSON object (a proxy's text 404, garbage, an unreadable file) is quoted as one
// `not_json` row with its first line, so the reader still sees what is there. Nothing here fails.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

namespace crm::harness::inspect {

// One row of the table: where a decisive value lives.
struct FieldSpec {
    std::string_view artifact;  // file name in the cell folder: "10-chat.json"
    std::string_view pointer;   // RFC 6901 JSON pointer: "/exchange/response/status"
    std::string_view label;     // what a person reads: "chat HTTP status"
};

// The table, in reading order. Stable: diff joins two cells' rows on (artifact, pointer).
[[nodiscard]] std::span<const FieldSpec> decisive_field_table();

// The pointer of the one row an artifact that is not JSON yields.
inline constexpr std::string_view k_not_json_pointer = "";

struct DecisiveField {
    std::string artifact;
    std::string pointer;  // k_not_json_pointer for a non-JSON artifact's row
    std::string label;
    std::string value;     // one line: a string as is (cut at 160 bytes), a number or bool as JSON
    bool proving = false;  // the artifact is one the classifier named (CellSummary::artifacts)
    friend bool operator==(const DecisiveField&, const DecisiveField&) = default;
};

// The decisive fields of the cell folder `cell_dir`. `proving` are the artifacts the cell's
// summary names (relative to the cell folder); they mark rows, they never filter them.
[[nodiscard]] std::vector<DecisiveField> decisive_fields(const std::filesystem::path& cell_dir,
                                                         const std::vector<std::string>& proving = {});

// The same over artifacts already parsed: `artifact` names the file, `doc` its JSON. Tests and a
// report that holds the documents use this; decisive_fields reads files and calls it.
[[nodiscard]] std::vector<DecisiveField> fields_of(std::string_view artifact, const util::json::value& doc);

// `text` on one line: whitespace runs become one space, cut at `cap` bytes (never inside a UTF-8
// sequence) with "..." appended when cut.
[[nodiscard]] std::string one_line(std::string_view text, std::size_t cap = 160);

}  // namespace crm::harness::inspect
