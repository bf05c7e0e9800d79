#include <catch2/catch.hpp>

#include "probes/http/transport.hpp"
#include "util/secrets.hpp"

using crm::probes::HttpResponse;
using crm::probes::is_credential_header;

TEST_CASE("http: credential headers are recognised case-insensitively") {
    CHECK(is_credential_header("Authorization"));
    CHECK(is_credential_header("x-api-key"));
    CHECK(is_credential_header("X-Goog-Api-Key"));
    CHECK(is_credential_header("COOKIE"));
    CHECK(is_credential_header("Set-Cookie"));
    CHECK(is_credential_header("Proxy-Authorization"));
    CHECK_FALSE(is_credential_header("Content-Type"));
    CHECK_FALSE(is_credential_header("x-api-key-id"));
    CHECK_FALSE(is_credential_header(""));
}

TEST_CASE("http: header_dump redacts credential values and keeps the rest") {
    HttpResponse r;
    r.status_line = "HTTP/1.1 200 OK";
    r.headers = {{"Content-Type", "application/json"},
                 {"Set-Cookie", "session=abcdef123456"},
                 {"authorization", "Bearer sk-0123456789abcdef"},
                 {"X-Api-Key", "admin-0123456789abcdef"},
                 {"x-request-id", "req-42"}};
    const std::string dump = r.header_dump();
    CHECK(dump.starts_with("HTTP/1.1 200 OK\n"));
    CHECK(dump.find("Content-Type: application/json\n") != std::string::npos);
    CHECK(dump.find("x-request-id: req-42\n") != std::string::npos);
    CHECK(dump.find("Set-Cookie: [REDACTED]\n") != std::string::npos);
    CHECK(dump.find("authorization: [REDACTED]\n") != std::string::npos);
    CHECK(dump.find("session=abcdef") == std::string::npos);
    CHECK(dump.find("sk-0123") == std::string::npos);
    CHECK(dump.find("admin-0123") == std::string::npos);
    CHECK(crm::util::find_secret_shaped(dump).empty());
}

TEST_CASE("http: header lookup is case-insensitive and returns the first match") {
    HttpResponse r;
    r.headers = {{"Content-Type", "text/event-stream"}, {"content-type", "other"}};
    CHECK(r.header("content-type") == std::optional<std::string>("text/event-stream"));
    CHECK(r.header("CONTENT-TYPE").has_value());
    CHECK_FALSE(r.header("x-missing").has_value());
}
