#pragma once
// Text as a JSON string decoder would read it, with every decoded byte mapped back to the span of
// the original text it came from. The secret audit and the scrubber search these views so that
// `sk\u002d...` or a key with an escaped '/' is found like its plain spelling.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crm::util {

struct EscapedView {
    std::string text;               // decoded bytes
    std::vector<std::size_t> from;  // per decoded byte: original offset where its escape starts
    std::vector<std::size_t> to;    // per decoded byte: original offset one past its escape
    // The original span [begin, end) that decoded bytes [pos, pos + len) came from (len > 0).
    [[nodiscard]] std::size_t original_begin(std::size_t pos) const { return from[pos]; }
    [[nodiscard]] std::size_t original_end(std::size_t pos, std::size_t len) const { return to[pos + len - 1]; }
};

// The successive decodings of `text` (one level of JSON string escapes each: \" \\ \/ \b \f \n
// \r \t \uXXXX with surrogate pairs; a lone surrogate becomes U+FFFD; any other backslash stays),
// each mapped to `text` itself. Stops when a level has no escape left or after `max_levels`;
// empty when `text` has no escape at all.
[[nodiscard]] std::vector<EscapedView> escaped_views(std::string_view text, int max_levels = 3);

}  // namespace crm::util
