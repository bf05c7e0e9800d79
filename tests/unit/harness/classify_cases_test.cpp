// Shared fixtures for the classifier tests: a healthy cell as JSON, a deep merge to patch it
// with the real-shaped bodies of the reference documents, and the table runner.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"
#include "util/json.hpp"

namespace crm::test {

namespace cls = crm::harness::classify;
namespace json = crm::util::json;

// Everything works: the engine claims ready, /v1/models lists the smoke model, completion and
// stream succeed, the upstream answers directly, reconcile is in sync.
inline constexpr const char* k_healthy_cell = R"j({
  "mode": "self_service", "provider": "deepseek", "smoke_model": "deepseek-chat", "stream_enabled": true,
  "engine": {"batch_status": "succeeded", "import_status": "succeeded", "provider_status": "active",
             "access_status": "self_service_ready", "latest_access_status": "fully_ready",
             "engine_claimed_ready": true, "user_source": "engine", "host_probe_status": 200},
  "account_test": {"attempted": true, "outcome": "success"},
  "accounts": {"read": true, "count": 2, "status": "active", "schedulable": true},
  "models": {"attempted": true, "status": 200, "listed_smoke_model": true,
             "model_ids": ["deepseek-chat"], "artifact": "09-models.json"},
  "chat": {"attempted": true, "status": 200, "artifact": "10-chat.json"},
  "chat_stream": {"attempted": true, "status": 200, "saw_done": true, "saw_usage": true, "chunks": 3},
  "upstream_models": {"attempted": true, "status": 200, "listed_smoke_model": true},
  "upstream_chat": {"attempted": true, "status": 200, "artifact": "19-upstream-chat.json"},
  "reconcile": {"ran": true, "status": "in_sync"}
})j";

inline void deep_merge(json::object& base, const json::object& patch) {
    for (const auto& kv : patch) {
        auto it = base.find(kv.key());
        if (it != base.end() && it->value().is_object() && kv.value().is_object()) {
            deep_merge(it->value().get_object(), kv.value().get_object());
        } else {
            base[kv.key()] = kv.value();
        }
    }
}

inline cls::CellObservations cell(const std::string& patch_json) {
    auto base = crm::util::parse_json(k_healthy_cell, "healthy");
    REQUIRE(base);
    auto patch = crm::util::parse_json(patch_json.empty() ? "{}" : patch_json, "patch");
    INFO(patch_json);
    REQUIRE(patch);
    deep_merge(base->get_object(), patch->get_object());
    auto obs = cls::observations_from_json(*base, "case");
    if (!obs) FAIL(obs.error().describe());
    return *obs;
}

inline const cls::RuleSet& repo_rules() {
    static const cls::RuleSet rules = [] {
        auto r = cls::load_rules(std::string(CRM_SOURCE_DIR) + "/rules/causes.json");
        if (!r) FAIL(r.error().describe());
        return *r;
    }();
    return rules;
}

struct Case {
    std::string name;   // what the reference document shows
    std::string patch;  // JSON patch over the healthy cell
    cls::Cause expected;
    std::string rule_id;                              // optional: the rule that must match
    std::vector<std::string> explanation_has = {};    // substrings the explanation must quote
    std::vector<std::string> explanation_lacks = {};  // substrings it must not say
};

inline void run_cases(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        INFO("case: " << c.name);
        auto result = cls::classify(cell(c.patch), repo_rules());
        INFO("got " << cls::to_string(result.cause) << " via " << result.rule_id << ": " << result.explanation);
        CHECK(result.cause == c.expected);
        CHECK(result.verdict == cls::verdict_of(c.expected));
        if (!c.rule_id.empty()) CHECK(result.rule_id == c.rule_id);
        CHECK_FALSE(result.explanation.empty());
        CHECK(result.explanation.find('{') == std::string::npos);
        CHECK(result.explanation.find("[[") == std::string::npos);
        // Placeholder leaks: an explanation quotes what was seen, never a chain of blanks.
        CHECK(result.explanation.find("not observed") == std::string::npos);
        if (result.cause == cls::Cause::models_only_false_ready) {
            CHECK(cls::to_json(cell(c.patch)).at("engine").at("engine_claimed_ready") == json::value(true));
        }
        for (const auto& needle : c.explanation_has) CHECK(result.explanation.find(needle) != std::string::npos);
        for (const auto& needle : c.explanation_lacks) CHECK(result.explanation.find(needle) == std::string::npos);
    }
}

// Host-side failure shapes reused by many cases (sub2api mapUpstreamError, real bodies).
inline constexpr const char* k_host_502_forbidden =
    R"j("chat": {"status": 502, "error_shape": "openai", "error_type": "upstream_error",
                "error_message": "Upstream access forbidden, please contact administrator"},
       "chat_stream": {"status": 502, "saw_done": false, "chunks": 0, "error_shape": "openai",
                "error_type": "upstream_error", "error_message": "Upstream access forbidden, please contact administrator"})j";
inline constexpr const char* k_host_502_request_failed =
    R"j("chat": {"status": 502, "error_shape": "openai", "error_type": "upstream_error",
                "error_message": "Upstream request failed"},
       "chat_stream": {"status": 502, "saw_done": false, "chunks": 0, "error_shape": "openai",
                "error_type": "upstream_error", "error_message": "Upstream request failed"})j";

}  // namespace crm::test

using crm::harness::classify::Cause;
namespace cls = crm::harness::classify;
using crm::test::Case;
using crm::test::k_host_502_forbidden;
using crm::test::k_host_502_request_failed;
using crm::test::run_cases;

namespace {
std::string obj(const std::string& members) { return "{" + members + "}"; }
}  // namespace

TEST_CASE("classifier: a healthy cell is ready; advisory account-test 429 does not downgrade it", "[classify]") {
    run_cases({
        {"everything works", "", Cause::ready, "ready"},
        {"account test got a transient 429, gateway closure passed (account_probe_429)",
         R"j({"account_test": {"outcome": "rate_limited", "error_text": "Upstream rate limit exceeded, please retry later"}})j",
         Cause::ready, "ready"},
        {"stream disabled for the provider, non-stream completion succeeds",
         R"j({"stream_enabled": false, "chat_stream": {"attempted": false, "status": null, "saw_done": false}})j",
         Cause::ready, "ready"},
        {"MiniMax base_resp status_code 0 is success",
         R"j({"provider": "minimax", "chat": {"vendor_code": "0", "error_shape": ""}})j", Cause::ready, "ready"},
    });
}

TEST_CASE("classifier: foreign resources only are shared_host_residue, a noted pass", "[classify]") {
    run_cases({
        {"reconcile sees 3 foreign groups in scope, nothing owned drifted",
         R"j({"reconcile": {"status": "drifted", "residue_count": 3, "owned_drift_count": 0}})j",
         Cause::shared_host_residue, "shared-host-residue"},
    });
}

TEST_CASE("classifier: host unreachable beats everything", "[classify]") {
    run_cases({
        {"connect refused on /health",
         R"j({"engine": {"host_probe_error_code": "connect_failed", "host_probe_status": null}})j",
         Cause::host_unreachable, "host-unreachable"},
        {"unreachable host while upstream direct says quota and admin is rejected",
         R"j({"engine": {"host_probe_error_code": "timeout", "admin_rejected": true, "harness_error": "x"},
             "upstream_chat": {"status": 403, "error_code": "insufficient_user_quota"}})j",
         Cause::host_unreachable, "host-unreachable"},
        {"gateway /v1/models TLS failure", R"j({"models": {"transport_error": "tls", "status": null}})j",
         Cause::host_unreachable, "host-unreachable"},
        {"fork host draining: /health 503 {status:draining}", R"j({"engine": {"host_probe_status": 503}})j",
         Cause::host_unreachable, "host-unreachable"},
    });
}

TEST_CASE("classifier: admin rejection and toolkit failures are infra, not product", "[classify]") {
    run_cases({
        {"401 INVALID_ADMIN_KEY", R"j({"engine": {"admin_rejected": true, "admin_error_code": "INVALID_ADMIN_KEY"}})j",
         Cause::host_admin_rejected, "host-admin-rejected"},
        {"423 ADMIN_COMPLIANCE_ACK_REQUIRED not accepted",
         R"j({"engine": {"admin_error_code": "ADMIN_COMPLIANCE_ACK_REQUIRED"}})j", Cause::host_admin_rejected,
         "host-admin-rejected"},
        {"admin rejection beats a harness error and an engine defect",
         R"j({"engine": {"admin_rejected": true, "harness_error": "boom", "resources_missing_on_host": 2}})j",
         Cause::host_admin_rejected, "host-admin-rejected"},
        {"provider key env var missing",
         R"j({"engine": {"harness_error": "packs/cn.json: deepseek: key_env DEEPSEEK_KEY is not set"}})j",
         Cause::harness_error, "harness-error"},
        {"nothing observed at all", R"j({"engine": {"host_probe_status": null, "engine_claimed_ready": null},
            "models": {"attempted": false}, "chat": {"attempted": false}, "chat_stream": {"attempted": false},
            "upstream_chat": {"attempted": false}, "upstream_models": {"attempted": false}})j",
         Cause::harness_error, "no_rule_matched"},
        {"stream enabled but the stream step never ran", R"j({"chat_stream": {"attempted": false, "status": null}})j",
         Cause::harness_error, "no_rule_matched"},
    });
}

TEST_CASE("classifier: upstream quota vocabulary is upstream_key_quota_issue whatever the status", "[classify]") {
    run_cases({
        {"one-api 403 insufficient_user_quota; host 502 forbidden; accounts in 403 cooldown",
         obj(std::string(R"j("upstream_chat": {"status": 403, "error_shape": "openai", "error_type": "one_api_error",
              "error_code": "insufficient_user_quota", "error_message": "user quota is not enough (request id: 2025)"},
              "accounts": {"temp_unschedulable_reason": "OpenAI 403 temporary cooldown (1/3): Access forbidden (403): user quota is not enough", "schedulable": false},)j") +
             k_host_502_forbidden),
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"white-label new-api Aihubmix_api_error 403",
         R"j({"upstream_chat": {"status": 403, "error_type": "Aihubmix_api_error", "error_code": "insufficient_user_quota",
              "error_message": "Your account balance is insufficient. Please recharge your account to continue using the API."},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream access forbidden, please contact administrator"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"DeepSeek 402 Insufficient Balance; host 502 Upstream request failed; cn_balance_low",
         obj(std::string(
                 R"j("upstream_chat": {"status": 402, "error_type": "unknown_error", "error_code": "invalid_request_error",
              "error_message": "Insufficient Balance"},
              "accounts": {"temp_unschedulable_reason": "cn_balance_low: Insufficient Balance"},)j") +
             k_host_502_request_failed),
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"Zhipu 429 code 1113 (string code, Chinese message)",
         R"j({"provider": "glm", "upstream_chat": {"status": 429, "error_code": "1113", "error_message": "余额不足或无可用资源包,请充值。"},
             "chat": {"status": 429, "error_type": "rate_limit_error", "error_message": "Upstream rate limit exceeded, please retry later"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"Moonshot 429 exceeded_current_quota_error is quota, not a rate limit",
         R"j({"provider": "kimi", "upstream_chat": {"status": 429, "error_type": "exceeded_current_quota_error",
              "error_message": "Your account org-x <ak-y> is suspended due to insufficient balance, please recharge your account or check your plan and billing details"},
             "chat": {"status": 429, "error_type": "rate_limit_error", "error_message": "Upstream rate limit exceeded, please retry later"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"Moonshot 403 variant exceeded current quota is quota, not auth",
         R"j({"provider": "kimi", "upstream_chat": {"status": 403, "error_type": "exceeded_current_quota_error",
              "error_message": "Your account is not active, organization org-x exceeded current quota"},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream access forbidden, please contact administrator"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"MiniMax HTTP 200 with base_resp 1008 insufficient balance",
         R"j({"provider": "minimax", "upstream_chat": {"status": 200, "error_shape": "base_resp", "vendor_code": "1008",
              "error_message": "insufficient balance"},
             "chat": {"status": 200, "error_shape": "base_resp", "vendor_code": "1008", "error_message": "insufficient balance"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"MiniMax anthropic route 500 api_error insufficient balance (1008)",
         R"j({"provider": "minimax", "upstream_chat": {"status": 500, "error_shape": "anthropic", "error_type": "api_error",
              "error_message": "insufficient balance (1008)", "vendor_code": "1008"}, )j" +
             std::string(k_host_502_request_failed) + "}",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"MiniMax Token Plan 429 usage limit exceeded (2056)",
         R"j({"provider": "minimax", "upstream_chat": {"status": 429, "error_type": "rate_limit_error",
              "error_message": "usage limit exceeded, 5-hour usage limit reached for Token Plan (2056)", "vendor_code": "2056"},
             "chat": {"status": 429, "error_type": "rate_limit_error"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"SiliconFlow 403 code 30011 paid balance",
         R"j({"provider": "siliconflow", "upstream_chat": {"status": 403, "error_shape": "flat_code", "error_code": "30011",
              "error_message": "The selected model requires paid balance. Your paid balance is insufficient. Please top up and try again."},
             "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"DashScope 400 Arrearage is quota, not a bad payload",
         R"j({"provider": "qwen", "upstream_chat": {"status": 400, "error_type": "Arrearage", "error_code": "Arrearage",
              "error_message": "Access denied, please make sure your account is in good standing."},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream request failed"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"Volcengine 403 AccountOverdueError",
         R"j({"provider": "doubao", "upstream_chat": {"status": 403, "error_code": "AccountOverdueError",
              "error_message": "The request failed because your account has an overdue balance."},
             "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"new-api token exhausted answers 401 该令牌额度已用尽: quota, not auth",
         R"j({"upstream_chat": {"status": 401, "error_type": "new_api_error", "error_message": "[sk-abc***xyz] 该令牌额度已用尽 TokenStatusExhausted"},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream authentication failed, please contact administrator"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"upstream quota beats models-only even when the engine claimed ready",
         R"j({"upstream_chat": {"status": 402, "error_message": "Insufficient Balance"},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream request failed"},
             "engine": {"engine_claimed_ready": true}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-direct"},
        {"host-only corroboration: upstream direct skipped, accounts cn_balance_low, gateway 503 no accounts",
         R"j({"upstream_chat": {"attempted": false, "status": null}, "upstream_models": {"attempted": false, "status": null},
             "accounts": {"temp_unschedulable_reason": "cn_balance_low: Insufficient Balance", "schedulable": false, "unschedulable_count": 2},
             "chat": {"status": 503, "error_type": "api_error", "error_message": "Service temporarily unavailable"},
             "chat_stream": {"status": 503, "saw_done": false}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-seen-by-host"},
        {"host-only corroboration from the account test error event",
         R"j({"upstream_chat": {"attempted": false, "status": null},
             "account_test": {"outcome": "error", "error_text": "API returned 402: Insufficient Balance"},
             "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream request failed"}})j",
         Cause::upstream_key_quota_issue, "upstream-quota-seen-by-host"},
    });
}

TEST_CASE("classifier: upstream 401 and invalid-key codes are upstream_auth_invalid", "[classify]") {
    run_cases({
        {"DeepSeek 401 Authentication Fails",
         obj(std::string(
                 R"j("upstream_chat": {"status": 401, "error_type": "authentication_error", "error_code": "invalid_request_error",
              "error_message": "Authentication Fails, Your api key: ****d569 is invalid"},)j") +
             k_host_502_forbidden),
         Cause::upstream_auth_invalid, "upstream-auth-invalid"},
        {"MiniMax 401 authorized_error (1004)",
         R"j({"provider": "minimax", "upstream_chat": {"status": 401, "error_shape": "anthropic", "error_type": "authorized_error",
              "error_message": "login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)", "vendor_code": "1004"},
             "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::upstream_auth_invalid, "upstream-auth-invalid"},
        {"MiniMax HTTP 200 base_resp 2049 invalid api key (wrong region)",
         R"j({"provider": "minimax", "upstream_chat": {"status": 200, "error_shape": "base_resp", "vendor_code": "2049", "error_message": "invalid api key"},
             "chat": {"status": 200, "vendor_code": "2049", "error_message": "invalid api key"}})j",
         Cause::upstream_auth_invalid, "upstream-auth-invalid"},
        {"DashScope 401 InvalidApiKey",
         R"j({"provider": "qwen", "upstream_chat": {"status": 401, "error_code": "invalid_api_key", "error_message": "Incorrect API key provided"},
             "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::upstream_auth_invalid, "upstream-auth-invalid"},
        {"upstream GET /models 401 Authentication Fails (no such user), chat not attempted",
         R"j({"upstream_models": {"status": 401, "error_message": "Authentication Fails (no such user)"},
             "upstream_chat": {"attempted": false, "status": null}, "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::upstream_auth_invalid, "upstream-auth-invalid"},
    });
}

TEST_CASE("classifier: upstream 5xx, timeouts and keep-alive stalls are upstream_unavailable", "[classify]") {
    run_cases({
        {"upstream_down: DeepSeek 503 Server Overloaded",
         obj(std::string(R"j("upstream_chat": {"status": 503, "error_message": "Server Overloaded"},)j") +
             R"j("chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream service temporarily unavailable"},
                "chat_stream": {"status": 502, "saw_done": false})j"),
         Cause::upstream_unavailable, "upstream-unavailable-direct"},
        {"upstream direct stalls on empty keep-alive lines",
         R"j({"upstream_chat": {"status": null, "transport_error": "stalled"}, "chat": {"status": null, "transport_error": "timeout"},
             "chat_stream": {"status": 200, "stalled": true, "saw_done": false, "keepalive_comments": 7, "chunks": 0}})j",
         Cause::upstream_unavailable, "upstream-unavailable-direct"},
        {"keepalive_stall through the host, upstream direct not run",
         R"j({"upstream_chat": {"attempted": false, "status": null}, "chat": {"status": null, "transport_error": "timeout"},
             "chat_stream": {"status": 200, "stalled": true, "saw_done": false, "keepalive_comments": 12, "chunks": 0}})j",
         Cause::upstream_unavailable, "upstream-keepalive-stall"},
        {"a completed gateway beats a flaky upstream direct probe",
         R"j({"upstream_chat": {"status": 503, "error_message": "Server Overloaded"}})j", Cause::ready, "ready"},
    });
}

TEST_CASE("classifier: the upstream rejecting the smoke payload itself is a harness/pack error", "[classify]") {
    run_cases({
        {"DeepSeek 400 Model Not Exist for the pack's smoke model",
         R"j({"upstream_chat": {"status": 400, "error_type": "invalid_request_error", "error_code": "invalid_request_error",
              "error_message": "Model Not Exist"}, "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::harness_error, "upstream-rejects-smoke-payload"},
        {"MiniMax 400 invalid params (2013) for the smoke payload",
         R"j({"provider": "minimax", "upstream_chat": {"status": 400, "error_type": "bad_request_error",
              "error_message": "invalid params, invalid chat setting (2013)", "vendor_code": "2013"}, "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::harness_error, "upstream-rejects-smoke-payload"},
    });
}

TEST_CASE(
    "classifier: gateway 403 INSUFFICIENT_BALANCE / SUBSCRIPTION_NOT_FOUND is access_precondition_missing for an "
    "operator user",
    "[classify]") {
    run_cases({
        {"operator user without balance",
         R"j({"engine": {"user_source": "operator", "access_error_code": "INSUFFICIENT_BALANCE", "access_error_status": 403,
              "access_error_message": "Insufficient account balance"},
             "chat": {"status": 403, "error_shape": "flat_code", "error_code": "INSUFFICIENT_BALANCE", "error_message": "Insufficient account balance"}})j",
         Cause::access_precondition_missing, "operator-user-lacks-access"},
        {"operator user's subscription expired",
         R"j({"mode": "subscription", "engine": {"user_source": "operator"},
             "models": {"status": 403, "error_code": "SUBSCRIPTION_NOT_FOUND", "error_message": "No active subscription found for this group", "listed_smoke_model": null},
             "chat": {"status": 403, "error_code": "SUBSCRIPTION_NOT_FOUND", "error_message": "No active subscription found for this group"}})j",
         Cause::access_precondition_missing, "operator-user-lacks-access"},
        {"cached balance check: 403 billing_error 'insufficient balance' is the user's, not the upstream's",
         R"j({"engine": {"user_source": "operator"},
             "chat": {"status": 403, "error_shape": "openai", "error_type": "billing_error", "error_message": "insufficient balance"}})j",
         Cause::access_precondition_missing, "operator-user-lacks-access"},
        {"engine-managed user refused for balance is an engine defect",
         R"j({"engine": {"user_source": "engine"},
             "chat": {"status": 403, "error_code": "INSUFFICIENT_BALANCE", "error_message": "Insufficient account balance"}})j",
         Cause::engine_defect, "engine-user-lacks-access"},
    });
}

TEST_CASE("classifier: a 429 without balance semantics is transient_rate_limit", "[classify]") {
    run_cases({
        {"sub2api 429 Upstream rate limit exceeded, DeepSeek direct 429 Rate Limit Reached",
         R"j({"upstream_chat": {"status": 429, "error_message": "Rate Limit Reached"},
             "chat": {"status": 429, "error_type": "rate_limit_error", "error_message": "Upstream rate limit exceeded, please retry later"}})j",
         Cause::transient_rate_limit, "transient-rate-limit"},
        {"Kimi 429 engine overloaded",
         R"j({"provider": "kimi", "upstream_chat": {"status": 429, "error_type": "engine_overloaded_error", "error_message": "The engine is currently overloaded, please try again later"},
             "chat": {"status": 429, "error_type": "rate_limit_error"}})j",
         Cause::transient_rate_limit, "transient-rate-limit"},
        {"host concurrency queue full while upstream direct is fine",
         R"j({"chat": {"status": 429, "error_type": "rate_limit_error", "error_message": "Concurrency limit exceeded for user, please retry later"}})j",
         Cause::transient_rate_limit, "transient-rate-limit"},
        {"all accounts rate-limited: 503 Service temporarily unavailable",
         R"j({"accounts": {"rate_limited_count": 2, "schedulable": false},
             "chat": {"status": 503, "error_type": "api_error", "error_message": "Service temporarily unavailable"},
             "upstream_chat": {"attempted": false, "status": null}})j",
         Cause::transient_rate_limit, "transient-rate-limit"},
    });
}

TEST_CASE("classifier: an auth style the gateway rejects is gateway_auth_mismatch", "[classify]") {
    run_cases({
        {"Bearer 401 while x-api-key 200",
         R"j({"chat": {"status": 401, "error_code": "INVALID_API_KEY", "error_message": "Invalid API key"},
             "chat_stream": {"status": 401, "saw_done": false}, "chat_alt_auth": {"attempted": true, "status": 200}})j",
         Cause::gateway_auth_mismatch, "gateway-rejects-bearer"},
        {"Bearer sent, host says API_KEY_REQUIRED, the key works as x-api-key",
         R"j({"models": {"status": 401, "error_code": "API_KEY_REQUIRED", "listed_smoke_model": null},
             "chat": {"status": 401, "error_code": "API_KEY_REQUIRED"},
             "chat_alt_auth": {"attempted": true, "status": 200}})j",
         Cause::gateway_auth_mismatch, "gateway-rejects-bearer"},
        {"the engine's key is rejected in every style: engine defect",
         R"j({"chat": {"status": 401, "error_code": "INVALID_API_KEY", "error_message": "Invalid API key"},
             "chat_alt_auth": {"attempted": true, "status": 401, "error_code": "INVALID_API_KEY"}})j",
         Cause::engine_defect, "gateway-rejects-engine-key"},
    });
}

TEST_CASE("classifier: API_KEY_REQUIRED without proof the key is valid is no auth-style mismatch", "[classify]") {
    // The x-api-key variant is refused too: nothing shows the key is good in another header.
    auto c = cls::classify(crm::test::cell(R"j({"chat": {"status": 401, "error_code": "API_KEY_REQUIRED"},
        "chat_alt_auth": {"attempted": true, "status": 401, "error_code": "INVALID_API_KEY"}})j"),
                           crm::test::repo_rules());
    CHECK(c.cause != Cause::gateway_auth_mismatch);
}

TEST_CASE("classifier: x-api-key refused while Bearer works is ready, with a non-blocking note", "[classify]") {
    auto c = cls::classify(
        crm::test::cell(R"j({"chat_alt_auth": {"attempted": true, "status": 401, "error_shape": "flat_code",
        "error_code": "API_KEY_REQUIRED", "error_message": "API key is required"}})j"),
        crm::test::repo_rules());
    CHECK(c.cause == Cause::ready);
    REQUIRE(c.notes.size() == 1);
    CHECK(c.notes[0].find("HTTP 401 API_KEY_REQUIRED: API key is required") != std::string::npos);
    CHECK(cls::to_json(c).at("notes").as_array().size() == 1);
    CHECK(cls::classify(crm::test::cell("{}"), crm::test::repo_rules()).notes.empty());
}

TEST_CASE("classifier: a host answering bytes that are not HTTP is host-not-http, not a connectivity problem",
          "[classify]") {
    auto c = cls::classify(crm::test::cell(R"j({"engine": {"host_probe_error_code": "protocol",
        "host_probe_detail": "protocol: the peer answered, but not with HTTP (no HTTP status line): Unsupported protocol"},
        "models": {"attempted": false}, "chat": {"attempted": false}})j"),
                           crm::test::repo_rules());
    CHECK(c.cause == Cause::host_unreachable);
    CHECK(c.rule_id == "host-not-http");
    CHECK(c.explanation.find("not speaking HTTP") != std::string::npos);
    CHECK(c.explanation.find("fix connectivity") == std::string::npos);
}

TEST_CASE("classifier: an HTML 5xx page from the gateway is a proxy in the way, not a host gap", "[classify]") {
    auto c = cls::classify(
        crm::test::cell(R"j({"chat": {"status": 504, "error_shape": "html", "error_message": "504 Gateway Time-out",
        "body_excerpt": "<html><head><title>504 Gateway Time-out</title></head></html>"}})j"),
        crm::test::repo_rules());
    CHECK(c.cause == Cause::host_unreachable);
    CHECK(c.rule_id == "gateway-proxy-error");
    CHECK(c.explanation.find("504 Gateway Time-out") != std::string::npos);
    // An HTML page and a 5xx on different probes are not one proxy answer.
    auto mixed =
        cls::classify(crm::test::cell(R"j({"models": {"status": 404, "error_shape": "html", "listed_smoke_model": null},
        "chat": {"status": 502, "error_shape": "openai", "error_type": "upstream_error"}})j"),
                      crm::test::repo_rules());
    CHECK(mixed.rule_id != "gateway-proxy-error");
}

TEST_CASE("classifier: a smoke model missing from /v1/models is model_not_exposed", "[classify]") {
    run_cases({
        {"no model_mapping: deepseek group lists the Claude defaults",
         R"j({"models": {"listed_smoke_model": false, "model_ids": ["claude-opus-4-1", "claude-sonnet-4-5"]},
             "chat": {"status": 404, "error_type": "model_not_found"}})j",
         Cause::model_not_exposed, "model-not-listed"},
        {"chat 404 model_not_found: not supported by any configured account",
         R"j({"chat": {"status": 404, "error_type": "model_not_found",
              "error_message": "Model \"deepseek-chat\" is not supported by any configured account in this group"},
             "models": {"status": null, "attempted": false, "listed_smoke_model": null}})j",
         Cause::model_not_exposed, "model-not-routable"},
    });
}

TEST_CASE("classifier: upstream direct ok but the host fails is host_compatibility_gap", "[classify]") {
    run_cases({
        {"host_chat_incompatible: DeepSeek developer role rewritten, host 502 Upstream request failed",
         obj(std::string(k_host_502_request_failed)), Cause::host_compatibility_gap, "host-compatibility-gap"},
        {"models ok + chat 502 + engine claimed ready + upstream direct ok: host gap wins",
         obj(std::string(R"j("engine": {"engine_claimed_ready": true},)j") + k_host_502_forbidden),
         Cause::host_compatibility_gap, "host-compatibility-gap"},
        {"200 stream then event: error",
         R"j({"chat_stream": {"status": 200, "saw_done": false, "saw_error_event": true, "error_event_type": "upstream_error",
              "error_event_message": "Upstream request failed", "chunks": 1}})j",
         Cause::host_compatibility_gap, "host-compatibility-gap"},
        {"sse_truncated: stream ends without [DONE]",
         R"j({"chat_stream": {"status": 200, "saw_done": false, "truncated": true, "chunks": 2}})j",
         Cause::host_compatibility_gap, "host-compatibility-gap"},
        {"passthrough 422 from the rewritten request",
         R"j({"chat": {"status": 422, "error_type": "api_error", "error_message": "Invalid Parameters"}})j",
         Cause::host_compatibility_gap, "host-compatibility-gap"},
        {"gateway /v1/models itself answers 500",
         R"j({"models": {"status": 500, "error_message": "internal error", "listed_smoke_model": null},
             "chat": {"attempted": false, "status": null}, "chat_stream": {"attempted": false, "status": null},
             "upstream_chat": {"attempted": false, "status": null}})j",
         Cause::host_compatibility_gap, "gateway-models-broken"},
    });
}

TEST_CASE("classifier: /v1/models fine but completion fails without upstream proof is models_only_false_ready",
          "[classify]") {
    run_cases({
        {"models_only: engine claimed ready, upstream direct not run",
         obj(std::string(R"j("upstream_chat": {"attempted": false, "status": null},)j") + k_host_502_request_failed),
         Cause::models_only_false_ready,
         "models-only-false-ready",
         {"HTTP 502 upstream_error: Upstream request failed"}},
    });
}

TEST_CASE("classifier: models_only_false_ready is never chosen when the engine did not claim ready", "[classify]") {
    run_cases({
        {"engine did not claim ready, upstream direct not run: the run cannot attribute the failure",
         obj(std::string(
                 R"j("upstream_chat": {"attempted": false, "status": null}, "engine": {"engine_claimed_ready": false, "access_status": "none"},)j") +
             k_host_502_request_failed),
         Cause::harness_error,
         "completion-unattributed",
         {"did not claim ready", "upstream direct: not attempted"}},
        {"host streams only whitespace: completion stalls, stream stalls, upstream direct healthy, engine not ready",
         R"j({"engine": {"engine_claimed_ready": false, "access_status": "none", "latest_access_status": "not_ready"},
             "chat": {"status": null, "transport_error": "stalled", "transport_detail": "stalled: no payload bytes for 2000 ms"},
             "chat_stream": {"status": 200, "stalled": true, "saw_done": false, "chunks": 0, "transport_error": "stalled",
                             "transport_detail": "stalled: cut short after 4096 body bytes"},
             "upstream_chat": {"status": 200, "payload_parsed": true}})j",
         Cause::host_compatibility_gap,
         "host-compatibility-gap",
         {"stalled: no payload bytes for 2000 ms", "stalled after 0 chunk(s)", "HTTP 200 OK"},
         {"claim"}},
        {"2 GB body: the upstream direct answer is too large as well, engine not ready",
         R"j({"engine": {"engine_claimed_ready": false, "access_status": "none"},
             "chat": {"status": null, "transport_error": "too_large", "transport_detail": "response larger than 4194304 bytes"},
             "chat_stream": {"status": null, "transport_error": "too_large", "saw_done": false},
             "upstream_chat": {"status": null, "transport_error": "too_large", "transport_detail": "response larger than 4194304 bytes"}})j",
         Cause::upstream_unavailable,
         "upstream-unavailable-direct",
         {"too_large: response larger than 4194304 bytes"}},
        {"2 GB body through the host only, upstream direct healthy, engine claimed ready",
         R"j({"chat": {"status": null, "transport_error": "too_large", "transport_detail": "response larger than 4194304 bytes"},
             "chat_stream": {"status": null, "transport_error": "too_large", "saw_done": false}})j",
         Cause::host_compatibility_gap,
         "host-compatibility-gap",
         {"no HTTP answer (too_large: response larger than 4194304 bytes)"}},
        {"gateway stalls, engine claimed ready, upstream direct not run: models-only, with the real transport error",
         R"j({"upstream_chat": {"attempted": false, "status": null},
             "chat": {"status": null, "transport_error": "stalled", "transport_detail": "stalled: no payload bytes for 2000 ms"},
             "chat_stream": {"status": null, "transport_error": "stalled", "stalled": true, "saw_done": false}})j",
         Cause::models_only_false_ready,
         "models-only-false-ready",
         {"stalled: no payload bytes for 2000 ms"}},
    });
}

TEST_CASE("classifier: a 200 whose body is not a completion is no success", "[classify]") {
    const std::string host_fails =
        R"j("chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream request failed"},
        "chat_stream": {"status": 502, "saw_done": false, "error_type": "upstream_error"})j";
    run_cases({
        {"upstream direct answers 200 with an HTML page: the upstream is not serving",
         obj(R"j("upstream_chat": {"status": 200, "payload_parsed": false, "body_excerpt": "<html><body>It works!</body></html>"},)j" +
             host_fails),
         Cause::upstream_unavailable,
         "upstream-not-serving-direct",
         {"HTTP 200 with a body that is not the expected payload", "It works!"},
         {"answers the same request directly (HTTP 200)"}},
        {"upstream direct answers 200 JSON that is not a completion",
         obj(R"j("upstream_chat": {"status": 200, "payload_parsed": false, "body_excerpt": "[\"ok\"]"},)j" +
             host_fails),
         Cause::upstream_unavailable, "upstream-not-serving-direct"},
        {"upstream direct answers 200 with an empty body",
         obj(R"j("upstream_chat": {"status": 200, "payload_parsed": false},)j" + host_fails),
         Cause::upstream_unavailable,
         "upstream-not-serving-direct",
         {"empty body"}},
        {"upstream direct answers 200 with an error object the tables do not know",
         obj(R"j("upstream_chat": {"status": 200, "error_type": "server_busy_error", "error_message": "try another node"},)j" +
             host_fails),
         Cause::upstream_unavailable, "upstream-not-serving-direct"},
        {"MiniMax base_resp 2013 at HTTP 200 is still the pack's smoke payload",
         obj(R"j("provider": "minimax", "upstream_chat": {"status": 200, "error_shape": "base_resp", "vendor_code": "2013",
              "error_message": "invalid params"},)j" +
             host_fails),
         Cause::harness_error, "upstream-rejects-smoke-payload"},
        {"the gateway answers 200 with a non-JSON body while the upstream is healthy",
         R"j({"chat": {"status": 200, "payload_parsed": false, "body_excerpt": "OK"}})j",
         Cause::host_compatibility_gap,
         "host-compatibility-gap",
         {"not the expected payload: \"OK\""}},
        {"a garbage 200 from the gateway never makes a cell ready, even with a garbage 200 upstream",
         R"j({"chat": {"status": 200, "payload_parsed": false}, "upstream_chat": {"status": 200, "payload_parsed": false}})j",
         Cause::upstream_unavailable, "upstream-not-serving-direct"},
        {"gateway /v1/models answers 200 without a list",
         R"j({"models": {"status": 200, "payload_parsed": false, "listed_smoke_model": null, "model_ids": [], "body_excerpt": "<html>"},
             "chat": {"attempted": false, "status": null}, "chat_stream": {"attempted": false, "status": null}})j",
         Cause::host_compatibility_gap,
         "gateway-models-broken",
         {"not the expected payload"}},
    });
}

TEST_CASE("classifier: an admin API that does not speak sub2api is not an auth rejection", "[classify]") {
    const std::string stopped = R"j("models": {"attempted": false, "status": null, "listed_smoke_model": null},
        "chat": {"attempted": false, "status": null}, "chat_stream": {"attempted": false, "status": null},
        "upstream_chat": {"attempted": false, "status": null}, "reconcile": {"ran": false, "status": ""})j";
    run_cases({
        {"admin API answers 200 with a non-JSON body",
         obj(R"j("engine": {"engine_claimed_ready": null, "admin_api_error": "GET /api/v1/admin/system/version -> 200: non-JSON body from http://127.0.0.1:9/api/v1/admin/system/version: <html>hello</html>"},)j" +
             stopped),
         Cause::host_unreachable,
         "host-not-sub2api",
         {"URL answers, but not as a sub2api admin API: GET /api/v1/admin/system/version -> 200: non-JSON body"},
         {"admin key/JWT", "compliance gate"}},
        {"a refusal is still host_admin_rejected",
         obj(R"j("engine": {"admin_rejected": true, "admin_error_code": "INVALID_ADMIN_KEY"},)j" + stopped),
         Cause::host_admin_rejected,
         "host-admin-rejected",
         {"(code INVALID_ADMIN_KEY)"}},
    });
}

TEST_CASE("classifier: engine invariants, reconcile drift and rollback leftovers are product failures", "[classify]") {
    run_cases({
        {"batch succeeded but 2 accounts are missing on the host", R"j({"engine": {"resources_missing_on_host": 2}})j",
         Cause::engine_defect, "engine-invariant-broken"},
        {"key bound to the wrong group", R"j({"engine": {"binding_wrong": true}})j", Cause::engine_defect,
         "engine-invariant-broken"},
        {"import batch failed",
         R"j({"engine": {"batch_status": "failed", "engine_error": "POST /api/v1/admin/channels: 400 Invalid request", "engine_claimed_ready": false},
             "models": {"attempted": false, "status": null, "listed_smoke_model": null}, "chat": {"attempted": false, "status": null},
             "chat_stream": {"attempted": false, "status": null}})j",
         Cause::engine_defect, "engine-batch-failed"},
        {"reconcile: one owned channel modified",
         R"j({"reconcile": {"status": "drifted", "owned_drift_count": 1, "residue_count": 3}})j",
         Cause::reconcile_drift, "reconcile-owned-drift"},
        {"rollback left an account behind",
         R"j({"rollback": {"ran": true, "status": "rolled_back", "remaining_owned": 1}})j", Cause::rollback_incomplete,
         "rollback-incomplete"},
        {"rollback_failed beats upstream quota",
         R"j({"rollback": {"ran": true, "status": "rollback_failed"}, "upstream_chat": {"status": 402, "error_message": "Insufficient Balance"},
             "chat": {"status": 502, "error_type": "upstream_error"}})j",
         Cause::rollback_incomplete, "rollback-incomplete"},
    });
}

TEST_CASE("classifier: every cause of the closed list has at least one case", "[classify]") {
    // Mirrors the tables above: a cause without a real-shaped case is a rule nobody proved.
    std::set<Cause> covered = {Cause::ready,
                               Cause::shared_host_residue,
                               Cause::host_unreachable,
                               Cause::host_admin_rejected,
                               Cause::harness_error,
                               Cause::upstream_key_quota_issue,
                               Cause::upstream_auth_invalid,
                               Cause::upstream_unavailable,
                               Cause::access_precondition_missing,
                               Cause::transient_rate_limit,
                               Cause::gateway_auth_mismatch,
                               Cause::model_not_exposed,
                               Cause::host_compatibility_gap,
                               Cause::models_only_false_ready,
                               Cause::engine_defect,
                               Cause::reconcile_drift,
                               Cause::rollback_incomplete};
    for (Cause c : crm::harness::classify::k_all_causes) {
        INFO(crm::harness::classify::to_string(c));
        CHECK(covered.contains(c));
    }
    // and every cause can be produced by some rule of the repository table
    std::set<Cause> produced;
    for (const auto& r : crm::test::repo_rules().rules) produced.insert(r.cause);
    CHECK(produced.size() == crm::harness::classify::k_all_causes.size());
}

TEST_CASE("classifier: the explanation is filled from the observations and names the proof", "[classify]") {
    auto obs = crm::test::cell(R"j({"upstream_chat": {"status": 402, "error_message": "Insufficient Balance"},
        "accounts": {"temp_unschedulable_reason": "cn_balance_low: Insufficient Balance"},
        "chat": {"status": 502, "error_type": "upstream_error", "error_message": "Upstream request failed"}})j");
    auto c = crm::harness::classify::classify(obs, crm::test::repo_rules());
    REQUIRE(c.cause == Cause::upstream_key_quota_issue);
    CHECK(c.explanation.find("HTTP 402") != std::string::npos);
    CHECK(c.explanation.find("Insufficient Balance") != std::string::npos);
    CHECK(c.explanation.find("cn_balance_low") != std::string::npos);
    CHECK(c.explanation.find("HTTP 502") != std::string::npos);
    CHECK(std::find(c.evidence.begin(), c.evidence.end(), "19-upstream-chat.json") != c.evidence.end());
    CHECK(std::find(c.evidence.begin(), c.evidence.end(), "12-accounts-state.json") != c.evidence.end());
    // pure: same input, same output
    CHECK(crm::harness::classify::classify(obs, crm::test::repo_rules()) == c);
    auto j = crm::harness::classify::to_json(c);
    CHECK(j.at("verdict").as_string() == "blocked");
    CHECK(j.at("blocks_release_by_default").as_bool() == false);
}
