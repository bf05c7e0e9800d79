#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"

using namespace crm::harness::classify;

namespace {

// Values drawn from the reference documents, mixed at random: the classifier must stay total
// (one cause, its verdict, a filled explanation) whatever combination the runner observes.
const std::vector<int> k_statuses = {200, 400, 401, 402, 403, 404, 422, 429, 500, 502, 503, 529};
const std::vector<std::string> k_codes = {"",
                                          "insufficient_user_quota",
                                          "1113",
                                          "30011",
                                          "Arrearage",
                                          "INSUFFICIENT_BALANCE",
                                          "SUBSCRIPTION_NOT_FOUND",
                                          "INVALID_API_KEY",
                                          "API_KEY_REQUIRED",
                                          "model_not_found",
                                          "invalid_request_error"};
const std::vector<std::string> k_messages = {"",
                                             "Insufficient Balance",
                                             "Upstream request failed",
                                             "Rate Limit Reached",
                                             "余额不足或无可用资源包,请充值。",
                                             "insufficient balance (1008)",
                                             "The engine is currently overloaded",
                                             "{not a placeholder}",
                                             "line\nbreak"};
const std::vector<std::string> k_transport = {"",        "",        "",          "connect_failed",
                                              "timeout", "stalled", "too_large", "protocol"};

template <class T>
const T& pick(std::mt19937& rng, const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

void randomize(std::mt19937& rng, HttpObservation& h) {
    h.attempted = rng() % 4 != 0;
    if (!h.attempted) return;
    h.transport_error = pick(rng, k_transport);
    if (!h.transport_error.empty() && rng() % 2 == 0) h.transport_detail = h.transport_error + ": after 2000 ms";
    if (h.transport_error.empty()) h.status = pick(rng, k_statuses);
    if (h.status == 200 && rng() % 4 == 0) h.payload_parsed = false;
    if (h.status && *h.status >= 400) {
        h.error_code = pick(rng, k_codes);
        h.error_message = pick(rng, k_messages);
    }
}

}  // namespace

TEST_CASE("classifier: random real-shaped observations always yield one consistent cause", "[classify]") {
    auto rules = builtin_rules();
    REQUIRE(rules);
    std::mt19937 rng(20261124);  // seeded: a failure reproduces
    std::set<Cause> seen;
    for (int i = 0; i < 3000; ++i) {
        CellObservations obs;
        obs.smoke_model = "deepseek-chat";
        obs.stream_enabled = rng() % 2 == 0;
        randomize(rng, obs.models);
        if (obs.models.status == 200) obs.models.listed_smoke_model = rng() % 3 != 0;
        randomize(rng, obs.chat);
        randomize(rng, obs.chat_alt_auth);
        randomize(rng, obs.chat_stream);
        obs.chat_stream.saw_done = rng() % 2 == 0;
        randomize(rng, obs.upstream_chat);
        randomize(rng, obs.upstream_models);
        if (rng() % 5 == 0) obs.accounts.temp_unschedulable_reason = "cn_balance_low: Insufficient Balance";
        if (rng() % 7 == 0) obs.engine.host_probe_error_code = "connect_failed";
        if (rng() % 9 == 0) obs.engine.user_source = rng() % 2 ? "engine" : "operator";
        if (rng() % 3 == 0) obs.engine.engine_claimed_ready = rng() % 2 == 0;
        if (rng() % 11 == 0) obs.engine.admin_api_error = "GET /api/v1/admin/system/version -> 200: non-JSON body";
        obs.reconcile.ran = rng() % 2 == 0;
        obs.reconcile.residue_count = static_cast<int>(rng() % 2);
        auto c = classify(obs, *rules);
        INFO("iteration " << i << " rule " << c.rule_id);
        REQUIRE(c.verdict == verdict_of(c.cause));
        REQUIRE_FALSE(c.explanation.empty());
        REQUIRE_FALSE(c.rule_id.empty());
        REQUIRE(c.explanation.find('\n') == std::string::npos);
        // No placeholder leaks, whatever was missing: blanks are never chained.
        REQUIRE(c.explanation.find("not observed not observed") == std::string::npos);
        REQUIRE(c.explanation.find("not observed:") == std::string::npos);
        REQUIRE(c.explanation.find(": not observed") == std::string::npos);
        REQUIRE(c.explanation.find("HTTP not observed") == std::string::npos);
        REQUIRE(c.explanation.find("[[") == std::string::npos);
        // models_only_false_ready means "while the engine claimed ready" (docs/CAUSES.md).
        if (c.cause == Cause::models_only_false_ready) REQUIRE(obs.engine.engine_claimed_ready == true);
        if (obs.chat.payload_parsed == false) REQUIRE(c.cause != Cause::ready);
        if (obs.engine.host_probe_error_code == "connect_failed") REQUIRE(c.cause == Cause::host_unreachable);
        if (c.cause == Cause::ready) {
            REQUIRE(obs.chat.status == 200);
            REQUIRE(obs.models.listed_smoke_model == true);
        }
        seen.insert(c.cause);
    }
    CHECK(seen.size() >= 10);
}
