#include "util/ascii.hpp"

#include <catch2/catch.hpp>

using crm::util::ascii_lower;

TEST_CASE("ascii_lower folds A-Z only and keeps every other byte", "[util][ascii]") {
    CHECK(ascii_lower("Content-Type") == "content-type");
    CHECK(ascii_lower("X-API-KEY: AbC09_-") == "x-api-key: abc09_-");
    CHECK(ascii_lower("") == "");
    // UTF-8 passes through untouched (no locale-dependent folding of bytes >= 0x80).
    CHECK(ascii_lower("\xC3\x84pfel DEEPSEEK") == "\xC3\x84pfel deepseek");
    CHECK(ascii_lower("@[`{") == "@[`{");  // the neighbours of A-Z and a-z
}
