#pragma once
// Boost.JSON helpers shared by every folder. Parsing never throws: bad input is an Error whose
// message names the source (file or URL) and the byte offset.
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace crm::util {

namespace json = boost::json;

// Parses strict JSON. `source` names where the text came from ("packs/deepseek.json", a URL).
[[nodiscard]] Result<json::value> parse_json(std::string_view text, std::string_view source);

// Parses JSON that may carry // and /* */ comments and trailing commas (scenarios, packs).
// Errors carry "source:line:col".
[[nodiscard]] Result<json::value> parse_json_relaxed(std::string_view text, std::string_view source);

// Deterministic pretty printing (2-space indent, keys in insertion order, trailing newline),
// so artifacts diff cleanly.
[[nodiscard]] std::string pretty(const json::value& v);

// Small, non-throwing accessors. They return nullopt when the key is absent or of another type.
[[nodiscard]] std::optional<std::string> get_string(const json::value& v, std::string_view key);
[[nodiscard]] std::optional<std::int64_t> get_int(const json::value& v, std::string_view key);
[[nodiscard]] std::optional<double> get_number(const json::value& v, std::string_view key);
[[nodiscard]] std::optional<bool> get_bool(const json::value& v, std::string_view key);
[[nodiscard]] const json::value* find(const json::value& v, std::string_view key);
// Walks a dotted path ("data.items", "error.code"); nullptr when any step is missing.
[[nodiscard]] const json::value* find_path(const json::value& v, std::string_view dotted);

}  // namespace crm::util
