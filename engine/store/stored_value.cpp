#include "engine/store/stored_value.hpp"

#include <fmt/format.h>

namespace crm::engine::store {

std::unexpected<util::Error> unknown_stored_value(std::string_view table_column, std::int64_t row,
                                                  std::string_view text) {
    return util::fail(util::ErrorCode::invalid_input,
                      fmt::format("state store: {} row {}: unknown value \"{}\"", table_column, row, text));
}

}  // namespace crm::engine::store
