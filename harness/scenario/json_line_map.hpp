#pragma once
// Line numbers for JSON paths. Boost.JSON does not keep source positions, so scenario errors
// (`file:line: field: reason`) come from this light second pass over the same relaxed-JSON text
// (comments and trailing commas allowed). It does not validate: it runs after
// util::parse_json_relaxed accepted the text.
//
// Paths use dots for object keys and [i] for array elements: "host.kind",
// "matrix.providers[2].expect". The line of an object member is the line of its key; the line of
// an array element is the line where the element starts. Unknown paths map to the line of their
// nearest known ancestor, and the root to line 1.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace crm::harness::scenario {

class JsonLineMap {
  public:
    [[nodiscard]] static JsonLineMap build(std::string_view text);
    [[nodiscard]] std::size_t line_of(std::string_view path) const;

  private:
    std::map<std::string, std::size_t, std::less<>> m_lines;
};

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
[[nodiscard]] std::string child_path(std::string_view parent, std::string_view key);
// "a.b" + 3 -> "a.b[3]".
[[nodiscard]] std::string element_path(std::string_view parent, std::size_t index);

}  // namespace crm::harness::scenario
