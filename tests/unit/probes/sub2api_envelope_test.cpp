#include <catch2/catch.hpp>

#include "probes/sub2api/envelope.hpp"
#include "tests/unit/probes/sub2api_fake_host.hpp"

using crm::probes::HttpResponse;
using crm::probes::sub2api::EnvelopeRequest;
using crm::probes::sub2api::parse_envelope;
using crm::util::ErrorCode;
namespace fake = crm::test::sub2api_fake;

namespace {

const EnvelopeRequest k_groups{"POST", "/api/v1/admin/groups", "http://127.0.0.1:9/api/v1/admin/groups", true};

HttpResponse text_reply(int status, std::string content_type, std::string body) {
    auto r = fake::reply(status, std::move(body));
    r.headers = {{"Content-Type", std::move(content_type)}};
    return r;
}

}  // namespace

TEST_CASE("envelope: a handler error carries its reason as the remote code", "[envelope]") {
    auto r = parse_envelope(fake::reply(409, R"({"code":409,"message":"group name exists","reason":"GROUP_EXISTS"})"),
                            k_groups);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK(r.error().http_status == 409);
    CHECK(r.error().remote_code == "GROUP_EXISTS");
    CHECK(r.error().message == "POST /api/v1/admin/groups -> 409 GROUP_EXISTS: group name exists");
}

TEST_CASE("envelope: a middleware error's string code is the remote code", "[envelope]") {
    auto r = parse_envelope(
        fake::reply(423, R"({"code":"ADMIN_COMPLIANCE_ACK_REQUIRED","message":"accept the compliance notice"})"),
        k_groups);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::host_rejected);
    CHECK(r.error().http_status == 423);
    CHECK(r.error().remote_code == "ADMIN_COMPLIANCE_ACK_REQUIRED");
    CHECK(r.error().message ==
          "POST /api/v1/admin/groups -> 423 ADMIN_COMPLIANCE_ACK_REQUIRED: accept the compliance notice");
}

TEST_CASE("envelope: the account shape's error string is the remote code", "[envelope]") {
    const EnvelopeRequest accounts{"POST", "/api/v1/admin/accounts", "http://127.0.0.1:9/api/v1/admin/accounts", true};
    auto r =
        parse_envelope(fake::reply(409, R"({"error":"mixed_channel_warning","message":"mixed channels"})"), accounts);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK(r.error().remote_code == "mixed_channel_warning");
    CHECK(r.error().message == "POST /api/v1/admin/accounts -> 409 mixed_channel_warning: mixed channels");
}

TEST_CASE("envelope: a handler error without a reason has no remote code", "[envelope]") {
    auto r = parse_envelope(fake::reply(500, R"({"code":500,"message":"internal error"})"), k_groups);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::http_status);
    CHECK(r.error().remote_code.empty());
}

TEST_CASE("envelope: answers that are not envelopes have no remote code", "[envelope]") {
    SECTION("gin's text 404 for an absent route") {
        auto r = parse_envelope(text_reply(404, "text/plain", "404 page not found"), k_groups);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::protocol);
        CHECK(r.error().http_status == 404);
        CHECK(r.error().remote_code.empty());
    }
    SECTION("a proxy's HTML 502") {
        auto r = parse_envelope(
            text_reply(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
            k_groups);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::protocol);
        CHECK(r.error().remote_code.empty());
    }
    SECTION("JSON of another API that happens to name a code-like field") {
        auto r = parse_envelope(fake::reply(400, R"({"detail":"GROUP_EXISTS"})"), k_groups);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::protocol);
        CHECK(r.error().remote_code.empty());
    }
    SECTION("an empty body") {
        auto r = parse_envelope(fake::reply(503, ""), k_groups);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::protocol);
        CHECK(r.error().remote_code.empty());
    }
}

TEST_CASE("envelope: a success answer yields its data", "[envelope]") {
    auto r = parse_envelope(fake::ok(boost::json::object{{"id", 7}}), k_groups);
    REQUIRE(r);
    CHECK(r->at("id").as_int64() == 7);
}
