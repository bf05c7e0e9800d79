#include "util/utf8.hpp"

#include <catch2/catch.hpp>

using crm::util::first_invalid_utf8;
using crm::util::repair_utf8;

TEST_CASE("utf8: well-formed text is valid and comes back unchanged", "[util]") {
    const std::string text = "plain ASCII, caf\xC3\xA9, \xE4\xB8\xAD\xE6\x96\x87, \xF0\x9F\x98\x80";
    CHECK_FALSE(first_invalid_utf8(text));
    CHECK(repair_utf8(text) == text);
}

TEST_CASE("utf8: ill-formed bytes are found at their offset and replaced by U+FFFD", "[util]") {
    CHECK(first_invalid_utf8("ab\xFF") == std::optional<std::size_t>(2));
    CHECK(first_invalid_utf8("\xC0\xAF") == std::optional<std::size_t>(0));          // overlong '/'
    CHECK(first_invalid_utf8("x\xED\xA0\x80") == std::optional<std::size_t>(1));     // surrogate
    CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == std::optional<std::size_t>(0));  // above U+10FFFF
    CHECK(first_invalid_utf8("cut \xE4\xB8") == std::optional<std::size_t>(4));      // truncated
    CHECK(repair_utf8("a\xFF"
                      "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK_FALSE(first_invalid_utf8(repair_utf8("\xC0\xAF \xED\xA0\x80 \xE4\xB8")));
}
