// Scenario timeouts.retries as the runner applies it to the smoke probes (probe_retry.hpp).
#include <atomic>
#include <catch2/catch.hpp>

#include "harness/runner/probe_retry.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "tests/unit/probes/fake_transport.hpp"

using namespace crm;
using harness::runner::probe_with_retries;

namespace {

const char* k_models = R"({"object":"list","data":[{"id":"deepseek-chat","object":"model"}]})";

probes::gateway::ProbeTarget target() {
    return probes::gateway::ProbeTarget{"http://127.0.0.1:9", "k", probes::AuthStyle::bearer, {}};
}

}  // namespace

TEST_CASE("retries: a connect failure is retried and the answer of the next attempt is kept") {
    test::FakeTransport http;
    http.push_error(util::Error{util::ErrorCode::connect_failed, "refused", "", 0, {}});
    http.push(test::answer(200, k_models));
    auto t = target();
    auto a = probe_with_retries(1, nullptr, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 2);
    CHECK(a.result.ok());
    CHECK(http.requests.size() == 2);
}

TEST_CASE("retries: retries 0 sends exactly once") {
    test::FakeTransport http;
    http.push_error(util::Error{util::ErrorCode::timeout, "timed out", "", 0, {}});
    http.push(test::answer(200, k_models));
    auto t = target();
    auto a = probe_with_retries(0, nullptr, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 1);
    CHECK_FALSE(a.result.ok());
    CHECK(http.requests.size() == 1);
}

TEST_CASE("retries: a 503 without an error body is retried up to the limit, then the last answer is kept") {
    test::FakeTransport http;
    for (int i = 0; i < 4; ++i) http.push(test::answer(503, "", "text/plain"));
    auto t = target();
    auto a = probe_with_retries(2, nullptr, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 3);
    CHECK(a.result.exchange.status() == 503);
    CHECK(http.requests.size() == 3);
}

TEST_CASE("retries: a 429 or 5xx that names its error is an answer and is not retried") {
    test::FakeTransport http;
    http.push(
        test::answer(429, R"({"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota"}})"));
    http.push(test::answer(200, k_models));
    auto t = target();
    auto a = probe_with_retries(3, nullptr, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 1);
    CHECK(a.result.exchange.status() == 429);
}

TEST_CASE("retries: a client error is never retried") {
    test::FakeTransport http;
    http.push(test::answer(401, ""));
    http.push(test::answer(200, k_models));
    auto t = target();
    auto a = probe_with_retries(3, nullptr, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 1);
}

TEST_CASE("retries: an interrupted run stops retrying") {
    test::FakeTransport http;
    http.push_error(util::Error{util::ErrorCode::stalled, "stalled", "", 0, {}});
    http.push(test::answer(200, k_models));
    std::atomic<bool> cancel{true};
    auto t = target();
    auto a = probe_with_retries(3, &cancel, [&] { return probes::gateway::probe_models(http, t, "deepseek-chat"); });
    CHECK(a.attempts == 1);
}
