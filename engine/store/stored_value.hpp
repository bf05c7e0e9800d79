#pragma once
// Reading enum columns back from the state store. The schema's CHECK constraints admit only
// known text, so unknown text means the file was edited by hand or written by a crm-accept that
// knows more values than this one. It is an error naming where it was read, never a default: a
// default would turn an unknown resource kind into one that rollback deletes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::engine::store {

// ErrorCode::invalid_input,
//   "state store: <table>.<column> row <id>: unknown value \"<text>\"".
[[nodiscard]] std::unexpected<util::Error> unknown_stored_value(std::string_view table_column, std::int64_t row,
                                                                std::string_view text);

// `parse(text)` (one of the parse_* functions of engine/model/status.hpp), or the error above.
template <class Parse>
[[nodiscard]] auto parse_stored(Parse parse, const std::string& text, std::string_view table_column, std::int64_t row)
    -> util::Result<typename decltype(parse(std::string_view{}))::value_type> {
    if (auto value = parse(std::string_view(text))) return *value;
    return unknown_stored_value(table_column, row, text);
}

}  // namespace crm::engine::store
