#pragma once
// UTF-8 well-formedness (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above
// U+10FFFF). Every file of an evidence bundle is text and must be valid UTF-8: the writer repairs
// what it is given (a host may send any bytes), verify checks what it finds.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crm::util {

// Byte offset of the first byte that does not start a well-formed sequence; nullopt when `s` is
// valid UTF-8.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept;

// `s` with every ill-formed byte replaced by U+FFFD (one replacement per byte that cannot start a
// well-formed sequence). Valid input comes back unchanged.
[[nodiscard]] std::string repair_utf8(std::string_view s);

// `text` as one bounded line, for quoting evidence in a summary: whitespace runs (an HTML page's
// line breaks) become one space, trailing space is dropped, and a cut at `cap` bytes never splits a
// UTF-8 sequence (then "..." marks it), so the result stays valid JSON text.
[[nodiscard]] std::string one_line(std::string_view text, std::size_t cap);

}  // namespace crm::util
