#include <catch2/catch.hpp>

#include "engine/access/access_closer.hpp"

using namespace crm::engine;

TEST_CASE("account test: test_complete with success is a pass", "[engine]") {
    auto r = parse_account_test(7, 200,
                                "data: {\"type\":\"test_start\",\"model\":\"deepseek-chat\"}\n\n"
                                "data: {\"type\":\"content\",\"text\":\"pong\"}\n\n"
                                "data: {\"type\":\"test_complete\",\"success\":true}\n\n");
    CHECK(r.success);
    CHECK_FALSE(r.advisory);
    CHECK(r.account_id == 7);
}

TEST_CASE("account test: a 429 error event is advisory, another error is not", "[engine]") {
    auto limited =
        parse_account_test(1, 200, "data: {\"type\":\"error\",\"error\":\"API returned 429: rate limited\"}\n\n");
    CHECK_FALSE(limited.success);
    CHECK(limited.advisory);
    auto auth = parse_account_test(1, 200, "data: {\"type\":\"error\",\"error\":\"API returned 401: bad key\"}\n\n");
    CHECK_FALSE(auth.success);
    CHECK_FALSE(auth.advisory);
    CHECK(auth.detail == "API returned 401: bad key");
    auto empty = parse_account_test(1, 200, "");
    CHECK_FALSE(empty.success);
}

TEST_CASE("ready check: /v1/models alone never makes a mode ready", "[engine]") {
    ReadyCheck r;
    r.models_listed = true;
    CHECK_FALSE(r.ready());
    r.chat_ok = true;
    CHECK(r.ready());
    r.stream_ok = false;
    CHECK_FALSE(r.ready());
}
