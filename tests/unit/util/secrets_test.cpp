#include "util/secrets.hpp"

#include <catch2/catch.hpp>

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
    auto leaks =
        find_secret_shaped("key " + sk + " admin " + admin + " Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def");
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

TEST_CASE("secrets: a Kimi-style key (sk- + 48 mixed-case letters and digits) is secret-shaped", "[util]") {
    const std::string kimi = "sk-" + std::string("Ab3dEfGh1jKlMn0pQrStUvWxYz12345678901234567890AB");
    REQUIRE(kimi.size() == 51);
    auto leaks = find_secret_shaped("{\"api_key\": \"" + kimi + "\"}");
    REQUIRE(leaks.size() == 1);
    CHECK(leaks[0].kind == "sk_key");
    CHECK(leaks[0].offset == 13);
}

TEST_CASE("secrets: a JWT (eyJ + three base64url parts) is secret-shaped", "[util]") {
    const std::string jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwicm9sZSI6InVzZXIifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    auto leaks = find_secret_shaped("token=" + jwt + "; path=/");
    REQUIRE(leaks.size() == 1);
    CHECK(leaks[0].kind == "jwt");
    CHECK(leaks[0].offset == 6);
    // Not a JWT: two parts, or parts too short to carry a signature.
    CHECK(find_secret_shaped("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0").empty());
    CHECK(find_secret_shaped("eyJhbGciOiJIUzI1NiJ9.abc.def").empty());
}

TEST_CASE("secrets: JSON-escaped secret shapes are found at the offset of their escaped spelling", "[util]") {
    const std::string hex = std::string(32, 'a') + std::string(16, '0');
    auto leaks = find_secret_shaped("{\"k\": \"sk\\u002d" + hex + "\"}");
    REQUIRE(leaks.size() == 1);
    CHECK(leaks[0].kind == "sk_key");
    CHECK(leaks[0].offset == 7);
    CHECK(leaks[0].preview == "sk-aaa");
    // Upper-case hex digits, and an escape nested in a JSON string inside a JSON string.
    CHECK(find_secret_shaped("sk\\u002D" + hex).size() == 1);
    CHECK(find_secret_shaped("\"body\": \"{\\\"k\\\": \\\"admin\\\\u002d" + std::string(64, 'c') + "\\\"}\"").size() ==
          1);
    // The plain spelling is one hit, not two.
    CHECK(find_secret_shaped("a\\nb sk-" + hex).size() == 1);
}

TEST_CASE("secrets: a registered value spelled with JSON escapes is found and scrubbed", "[util]") {
    SecretRegistry reg;
    reg.add("upstream/key+value-123");
    const std::string escaped = "{\"key\": \"upstream\\/key\\u002bvalue-123\", \"n\": 1}";
    auto leaks = reg.find_leaks(escaped);
    REQUIRE(leaks.size() == 1);
    CHECK(leaks[0].kind == "registered_secret");
    CHECK(leaks[0].offset == 9);
    auto scrubbed = reg.scrub(escaped);
    CHECK(scrubbed == "{\"key\": \"[REDACTED]\", \"n\": 1}");
    CHECK(reg.find_leaks(scrubbed).empty());
    CHECK(reg.contains_secret("label-upstream/key+value-123"));
    CHECK_FALSE(reg.contains_secret("release-candidate"));
}

TEST_CASE("secrets: redaction markers, masked previews and ordinary words are not secret-shaped", "[util]") {
    for (std::string text :
         {"Authorization: Bearer [REDACTED]", "\"key\": \"[REDACTED]\"", "sk-*** at x.json", "eyJ*** (jwt)",
          "Bearer ***", "task-0123456789abcdef0123456789abcdef0123",
          "risk-assessment-for-the-whole-quarterly-planning-cycle", "sk-learn is a library",
          "eyJhbGciOiJIUzI1NiJ9 alone", "path C:\\\\Users\\\\sk-x", "\\u0041\\u0042 escaped letters"}) {
        INFO(text);
        CHECK(find_secret_shaped(text).empty());
    }
}
