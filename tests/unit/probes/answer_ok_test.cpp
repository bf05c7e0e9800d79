#include <catch2/catch.hpp>

#include "probes/gateway/gateway_probes.hpp"
#include "probes/http/probe_exchange.hpp"

using namespace crm::probes;

TEST_CASE("answer_ok: a whole 2xx answer with the payload asked for and no error body, and nothing else") {
    CHECK(answer_ok({true, 200, false, true}));
    CHECK(answer_ok({true, 201, false, true}));
    CHECK_FALSE(answer_ok({false, 200, false, true}));  // cut short or no answer
    CHECK_FALSE(answer_ok({true, 429, false, true}));
    CHECK_FALSE(answer_ok({true, 302, false, true}));
    CHECK_FALSE(answer_ok({true, 200, true, true}));    // MiniMax base_resp error at HTTP 200
    CHECK_FALSE(answer_ok({true, 200, false, false}));  // a proxy page, "OK"
}

TEST_CASE("answer_ok: a probe's ok() is answer_ok over its exchange") {
    gateway::ChatResult r;
    r.exchange.response = HttpResponse{};
    r.exchange.response->status = 200;
    r.completion_parsed = true;
    CHECK(r.ok());
    r.exchange.error_info = envelope::ErrorInfo{};
    CHECK_FALSE(r.ok());
}
