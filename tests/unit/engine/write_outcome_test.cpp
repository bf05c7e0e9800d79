#include "engine/ops/write_outcome.hpp"

#include <catch2/catch.hpp>

using crm::engine::write_certainly_not_applied;
using crm::util::Error;
using crm::util::ErrorCode;

TEST_CASE("write outcome: only a definite 4xx proves a host write did not happen", "[engine]") {
    auto err = [](ErrorCode code, int status) { return Error{code, "x", {}, status, {}}; };
    CHECK(write_certainly_not_applied(err(ErrorCode::http_status, 400)));
    CHECK(write_certainly_not_applied(err(ErrorCode::conflict, 409)));  // a name collision: not ours
    CHECK(write_certainly_not_applied(err(ErrorCode::not_found, 404)));
    CHECK(write_certainly_not_applied(err(ErrorCode::host_rejected, 403)));
    // "Try again" statuses, server errors and every transport failure leave it unknown.
    for (int status : {408, 425, 429, 500, 502, 503, 504}) {
        INFO(status);
        CHECK_FALSE(write_certainly_not_applied(err(ErrorCode::http_status, status)));
    }
    for (auto code : {ErrorCode::connect_failed, ErrorCode::timeout, ErrorCode::stalled, ErrorCode::interrupted,
                      ErrorCode::too_large}) {
        CHECK_FALSE(write_certainly_not_applied(err(code, 0)));
    }
    CHECK_FALSE(write_certainly_not_applied(err(ErrorCode::protocol, 200)));  // an unreadable 200
}
