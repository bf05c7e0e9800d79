#include <catch2/catch.hpp>

#include "util/secrets.hpp"

using crm::util::find_secret_shaped;
using crm::util::SecretRegistry;

TEST_CASE("secrets: a registered value is scrubbed everywhere it appears", "[util]") {
    SecretRegistry reg;
    reg.add("hunter2-password");
    auto out = reg.scrub("a hunter2-password b hunter2-password");
    CHECK(out == "a [REDACTED] b [REDACTED]");
    CHECK(reg.find_leaks(out).empty());
}

TEST_CASE("secrets: overlapping secrets scrub the longest first", "[util]") {
    SecretRegistry reg;
    reg.add("abcdef");
    reg.add("abcdef123456");
    CHECK(reg.scrub("xabcdef123456y") == "x[REDACTED]y");
}

TEST_CASE("secrets: short values are not registered", "[util]") {
    SecretRegistry reg;
    reg.add("abc");
    CHECK(reg.size() == 0);
    CHECK(reg.scrub("abc") == "abc");
}

TEST_CASE("secrets: audit finds sk- keys, admin- keys and bearer tokens", "[util]") {
    std::string sk = "sk-" + std::string(64, 'a');
    std::string admin = "admin-" + std::string(64, '0');
    auto leaks = find_secret_shaped("key " + sk + " admin " + admin +
                                    " Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def");
    REQUIRE(leaks.size() == 3);
    CHECK(leaks[0].kind == "sk_key");
    CHECK(leaks[1].kind == "admin_key");
    CHECK(leaks[2].kind == "bearer_token");
    CHECK(leaks[0].preview == "sk-aaa");
}

TEST_CASE("secrets: the marker and prose are not leaks", "[util]") {
    CHECK(find_secret_shaped("Authorization: Bearer [REDACTED]").empty());
    CHECK(find_secret_shaped("use Bearer auth; sk-abc is short; task-1234").empty());
}
