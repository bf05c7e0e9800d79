#include "probes/account/account_probe.hpp"

#include <catch2/catch.hpp>

#include "probes/upstream/upstream_probes.hpp"
#include "tests/unit/probes/fake_transport.hpp"

using namespace crm::probes;
using namespace crm::probes::account;
using crm::test::answer;
using crm::test::FakeTransport;
using crm::test::request_header;

namespace {

const std::string k_admin = "admin-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

AdminTarget admin() { return AdminTarget{"http://127.0.0.1:7000", k_admin, {}, nullptr}; }

}  // namespace

TEST_CASE("account test probe: success stream is passed, request carries model_id and x-api-key") {
    FakeTransport http;
    http.push(answer(200,
                     "data: {\"type\":\"test_start\",\"model\":\"deepseek-chat\"}\n\n"
                     "data: {\"type\":\"status\",\"text\":\"testing /v1/chat/completions\"}\n\n"
                     "data: {\"type\":\"content\",\"text\":\"pong\"}\n\n"
                     "data: {\"type\":\"test_complete\",\"success\":true}\n\n",
                     "text/event-stream"));
    auto r = probe_account_test(http, admin(), 42, "deepseek-chat");
    CHECK(r.outcome == AccountTestOutcome::passed);
    REQUIRE(r.events.size() == 4);
    CHECK(r.events[0].model == "deepseek-chat");
    CHECK(r.events[2].text == "pong");
    CHECK(r.events[3].success == std::optional<bool>(true));
    REQUIRE(http.requests.size() == 1);
    CHECK(http.requests[0].url == "http://127.0.0.1:7000/api/v1/admin/accounts/42/test");
    CHECK(http.requests[0].method == "POST");
    CHECK(http.requests[0].body == R"({"model_id":"deepseek-chat"})");
    CHECK(request_header(http.requests[0], "x-api-key") == k_admin);
    const std::string json = crm::util::json::serialize(r.to_json());
    CHECK(json.find(k_admin) == std::string::npos);
    CHECK(json.find("\"outcome\":\"passed\"") != std::string::npos);
}

TEST_CASE("account test probe: an error event is failed and its upstream status extracted") {
    FakeTransport http;
    http.push(answer(200,
                     "data: {\"type\":\"test_start\"}\n\n"
                     "data: {\"type\":\"error\",\"error\":\"API returned 429: "
                     "{\\\"error\\\":{\\\"type\\\":\\\"rate_limit_error\\\"}}\"}\n\n",
                     "text/event-stream"));
    auto r = probe_account_test(http, admin(), 1, "m");
    CHECK(r.outcome == AccountTestOutcome::failed);
    CHECK(r.error_http_status == 429);
    CHECK(r.error_message.starts_with("API returned 429"));
}

TEST_CASE("account test probe: a stream without test_complete is incomplete") {
    FakeTransport http;
    http.push(answer(200, "data: {\"type\":\"test_start\"}\n\ndata: not json\n\n", "text/event-stream"));
    auto r = probe_account_test(http, admin(), 1, "m");
    CHECK(r.outcome == AccountTestOutcome::incomplete);
    CHECK(r.unparsed_events == 1);
}

TEST_CASE("account test probe: 404 before the stream is http_error with the message") {
    FakeTransport http;
    http.push(answer(404, R"({"code":404,"message":"Account not found"})"));
    auto r = probe_account_test(http, admin(), 9, "m");
    CHECK(r.outcome == AccountTestOutcome::http_error);
    CHECK(r.error_message == "Account not found");
}

TEST_CASE("account test probe: status in test error messages") {
    CHECK(status_in_test_error("Chat Completions API (/v1/chat/completions) returned 402: {}") == 402);
    CHECK(status_in_test_error("API returned 401: bad key") == 401);
    CHECK(status_in_test_error("stream ended before [DONE]") == 0);
    CHECK(status_in_test_error("returned 4000") == 0);
    CHECK(status_in_test_error("returned 12") == 0);
}

TEST_CASE("account read-back: state fields come from the envelope's data") {
    FakeTransport http;
    http.push(answer(
        200,
        R"({"code":0,"message":"success","data":{"id":7,"name":"ds-1","platform":"deepseek","type":"apikey","status":"active","schedulable":true,"error_message":"","temp_unschedulable_until":"2026-11-24T00:10:00Z","temp_unschedulable_reason":"OpenAI 403 temporary cooldown (1/3): Access forbidden (403): insufficient_user_quota","credentials":{"base_url":"http://u"},"credentials_status":{"has_api_key":true},"group_ids":[3,4]}})"));
    auto r = read_account(http, admin(), 7);
    REQUIRE(r.state);
    CHECK(r.state->id == 7);
    CHECK(r.state->status == "active");
    CHECK(r.state->schedulable == std::optional<bool>(true));
    CHECK(r.state->temp_unschedulable_until == "2026-11-24T00:10:00Z");
    CHECK(r.state->temp_unschedulable_reason.find("insufficient_user_quota") != std::string::npos);
    CHECK(r.state->group_ids == std::vector<std::int64_t>{3, 4});
    CHECK(http.requests[0].url == "http://127.0.0.1:7000/api/v1/admin/accounts/7");
    const std::string json = crm::util::json::serialize(r.to_json());
    CHECK(json.find("credentials") == std::string::npos);
}

TEST_CASE("account read-back: null temp_unschedulable_until reads as empty, errors keep no state") {
    FakeTransport http;
    http.push(answer(
        200,
        R"({"code":0,"message":"success","data":{"id":7,"status":"error","schedulable":false,"temp_unschedulable_until":null,"error_message":"Authentication failed (401): bad"}})"));
    http.push(answer(404, R"({"code":404,"message":"not found"})"));
    const std::vector<std::int64_t> ids{7, 8};
    auto rs = read_accounts(http, admin(), ids);
    REQUIRE(rs.size() == 2);
    REQUIRE(rs[0].state);
    CHECK(rs[0].state->temp_unschedulable_until.empty());
    CHECK(rs[0].state->status == "error");
    CHECK_FALSE(rs[1].state);
    REQUIRE(rs[1].exchange.error_info);
    CHECK(rs[1].exchange.error_info->code == "404");
}

TEST_CASE("upstream probe: provider key as Bearer, /v1 not doubled, target recorded") {
    FakeTransport http;
    http.push(answer(200, R"({"data":[{"id":"MiniMax-M2.7"}]})"));
    http.push(answer(200, R"({"choices":[{"message":{"content":"pong"}}]})"));
    upstream::UpstreamTarget t{"https://api.minimaxi.com/v1", "sk-provider-key-123456", {}, 1024 * 1024, nullptr};
    auto m = upstream::probe_upstream_models(http, t, "MiniMax-M2.7");
    auto c = upstream::probe_upstream_chat(http, t, "MiniMax-M2.7");
    CHECK(m.ok());
    CHECK(c.ok());
    CHECK(http.requests[0].url == "https://api.minimaxi.com/v1/models");
    CHECK(http.requests[1].url == "https://api.minimaxi.com/v1/chat/completions");
    CHECK(request_header(http.requests[1], "Authorization") == "Bearer sk-provider-key-123456");
    CHECK(m.exchange.request.target == "upstream");
}

TEST_CASE("upstream probe: MiniMax base_resp at HTTP 200 is detected") {
    FakeTransport http;
    http.push(answer(200, R"({"base_resp":{"status_code":2049,"status_msg":"invalid api key"}})"));
    upstream::UpstreamTarget t{"https://api.minimax.io/v1", "k-123456", {}, 1024 * 1024, nullptr};
    auto c = upstream::probe_upstream_chat(http, t, "MiniMax-M2.7");
    CHECK_FALSE(c.ok());
    REQUIRE(c.exchange.error_info);
    CHECK(c.exchange.error_info->shape == envelope::BodyShape::minimax_base_resp);
    CHECK(c.exchange.error_info->vendor_code == "2049");
}

TEST_CASE(
    "account state: rate_limit_reset_at in the future marks a rate-limited account, in any spelling sub2api sends") {
    using crm::probes::account::AccountState;
    using crm::probes::account::state_time_unix;
    CHECK(state_time_unix("2026-05-21T19:14:18Z") == 1779390858);
    CHECK(state_time_unix("2026-05-22T03:14:18.123456+08:00") == 1779390858);
    CHECK(state_time_unix("2026-05-21T14:14:18-05:00") == 1779390858);
    CHECK(state_time_unix("1779390858") == 1779390858);
    CHECK_FALSE(state_time_unix("").has_value());
    CHECK_FALSE(state_time_unix("tomorrow").has_value());
    CHECK_FALSE(state_time_unix("2026-05-21T19:14:18+0800").has_value());
    AccountState s;
    CHECK_FALSE(s.rate_limited(1779390000));
    s.rate_limit_reset_at = "2026-05-21T19:14:18Z";
    CHECK(s.rate_limited(1779390000));
    CHECK_FALSE(s.rate_limited(1779390858));
}
