#pragma once
// GENERATED from rules/causes.json: the rule table embedded in the binary, so crm-accept
// classifies from any working directory. Do not edit by hand; regenerate with
//   sh harness/classify/regen_builtin_rules.sh
// The unit test "rules: the embedded copy is identical to rules/causes.json" fails when the
// two differ.
#include <string_view>

namespace crm::harness::classify {

inline constexpr std::string_view k_builtin_rules_json = R"crm_rules_json({
  "schema_version": 1,
  "description": "crm-accept cell classification rules. Evaluated in order, first match wins. Body first: statuses alone are never trusted. Field paths: harness/classify/observations_json.hpp. Precedence and rationale: docs/CAUSES.md. The binary embeds a copy (harness/classify/builtin_rules.hpp); a unit test keeps them identical.",
  "patterns": {
    "quota_vocabulary": "insufficient[ _-]?(user[ _-]?)?(balance|quota)|exceeded[ _]current[ _]quota|exceeded your current quota|paid balance is insufficient|overdue balance|accountoverdue|arrearage|account is in good standing|credit balance is too low|quota (is )?(not enough|exhausted|used up)|usage limit exceeded|payment required|cn_balance_low|balance[ _-]?low|余额不足|欠费|额度已用尽|额度不足|资源包",
    "transient_vocabulary": "too many requests|rate limit|currently overloaded|concurrency limit|too many pending requests|please retry later|负载已饱和|请稍后再试",
    "model_missing_vocabulary": "model_not_found|not supported by any configured account|model not exist|model does not exist|no available channel for model|无可用渠道"
  },
  "definitions": {
    "upstream_quota": {
      "any": [
        { "fields": ["upstream_chat.status", "upstream_models.status"], "op": "eq", "value": 402 },
        { "fields": ["upstream_chat.vendor_code", "upstream_models.vendor_code"], "op": "in",
          "value": ["1008", "1113", "30011", "2056", "1304", "1308", "1310"] },
        { "fields": ["upstream_chat.error_code", "upstream_models.error_code"], "op": "in",
          "value": ["insufficient_user_quota", "insufficient_quota", "pre_consume_token_quota_failed",
                    "exceeded_current_quota_error", "insufficient_balance_error", "1113", "30011",
                    "Arrearage", "AccountOverdueError"] },
        { "fields": ["upstream_chat.error_type", "upstream_models.error_type"], "op": "in",
          "value": ["exceeded_current_quota_error", "insufficient_quota", "insufficient_balance_error",
                    "Arrearage", "AccountOverdueError"] },
        { "fields": ["upstream_chat.text", "upstream_models.text"], "op": "matches",
          "value": { "pattern": "quota_vocabulary" } }
      ]
    },
    "host_saw_quota": {
      "fields": ["accounts.text", "account_test.text"], "op": "matches",
      "value": { "pattern": "quota_vocabulary" }
    },
    "gateway_failed": {
      "any": [
        { "field": "chat.failed", "op": "eq", "value": true },
        { "field": "chat_stream.failed", "op": "eq", "value": true }
      ]
    },
    "gateway_access_denied": {
      "any": [
        { "fields": ["engine.access_error_code", "models.error_code", "chat.error_code", "chat_stream.error_code"],
          "op": "in",
          "value": ["INSUFFICIENT_BALANCE", "SUBSCRIPTION_NOT_FOUND", "SUBSCRIPTION_INVALID",
                    "USAGE_LIMIT_EXCEEDED", "API_KEY_QUOTA_EXHAUSTED", "USER_INACTIVE", "GROUP_NOT_ALLOWED",
                    "API_KEY_EXPIRED"] },
        { "all": [
          { "fields": ["chat.status", "chat_stream.status"], "op": "eq", "value": 403 },
          { "fields": ["chat.error_type", "chat_stream.error_type"], "op": "eq", "value": "billing_error" }
        ] }
      ]
    },
    "upstream_direct_ok": { "field": "upstream_chat.ok", "op": "eq", "value": true },
    "stream_satisfied": {
      "any": [
        { "field": "chat_stream.ok", "op": "eq", "value": true },
        { "field": "stream_enabled", "op": "eq", "value": false }
      ]
    },
    "gateway_ready": {
      "all": [
        { "field": "models.ok", "op": "eq", "value": true },
        { "field": "models.listed_smoke_model", "op": "eq", "value": true },
        { "field": "chat.ok", "op": "eq", "value": true },
        { "ref": "stream_satisfied" }
      ]
    },
    "gateway_not_ready": { "not": { "ref": "gateway_ready" } }
  },
  "rules": [
    {
      "id": "host-not-http",
      "cause": "host_unreachable",
      "when": {
        "any": [
          { "field": "engine.host_probe_error_code", "op": "eq", "value": "protocol" },
          { "all": [
            { "field": "engine.host_probe_error_code", "op": "exists" },
            { "field": "engine.host_probe_detail", "op": "contains", "value": "not with HTTP" }
          ] }
        ]
      },
      "explain": "The host URL accepts connections and answers, but not with a valid HTTP answer: it is not speaking HTTP, let alone the sub2api API, at this address[[ (/health: {engine.host_probe_detail})]]; gateway /v1/models: {models.summary}. Connectivity is fine; the URL points at another kind of service (a TLS-only port addressed as http://, SSH, a database, ...) or something between cuts the answers. Check the host URL's scheme and port and re-run.",
      "evidence": ["01-host-health.json", "09-models.json", "10-chat.json"]
    },
    {
      "id": "host-unreachable",
      "cause": "host_unreachable",
      "when": {
        "any": [
          { "field": "engine.host_probe_error_code", "op": "exists" },
          { "field": "engine.host_probe_status", "op": "gte", "value": 500 },
          { "field": "models.transport_error", "op": "in", "value": ["connect_failed", "tls", "dns", "timeout"] },
          { "fields": ["chat.transport_error", "chat_stream.transport_error"], "op": "in",
            "value": ["connect_failed", "tls", "dns"] }
        ]
      },
      "explain": "No working sub2api host could be reached[[ (/health: {engine.host_probe_detail})]]; gateway /v1/models: {models.summary}; gateway completion: {chat.summary}. Nothing about the product was tested; fix connectivity (URL, TLS, firewall) or the service answering at that URL, and re-run.",
      "evidence": ["01-host-health.json", "09-models.json", "10-chat.json"]
    },
    {
      "id": "host-not-sub2api",
      "cause": "host_unreachable",
      "when": { "field": "engine.admin_api_error", "op": "exists" },
      "explain": "The URL answers, but not as a sub2api admin API: {engine.admin_api_error}. The admin credentials were never judged, so this is not an auth rejection: the host URL points at something other than sub2api (another service, a reverse proxy's error page, a login page, a wrong path prefix) or the sub2api behind it is failing. Nothing about the provider was tested; check the host URL and re-run.",
      "evidence": ["02-host-capabilities.json", "01-host-health.json"]
    },
    {
      "id": "host-admin-rejected",
      "cause": "host_admin_rejected",
      "when": {
        "any": [
          { "field": "engine.admin_rejected", "op": "eq", "value": true },
          { "field": "engine.admin_error_code", "op": "in",
            "value": ["INVALID_ADMIN_KEY", "ADMIN_COMPLIANCE_ACK_REQUIRED", "UNAUTHORIZED", "FORBIDDEN",
                      "INVALID_TOKEN", "TOKEN_EXPIRED", "TOKEN_REVOKED"] }
        ]
      },
      "explain": "The host's admin API refused the harness[[ (code {engine.admin_error_code})]]. Either the admin key/JWT is wrong or the compliance gate (HTTP 423 ADMIN_COMPLIANCE_ACK_REQUIRED) is not accepted for this admin. Nothing about the provider was tested.",
      "evidence": ["02-host-capabilities.json"]
    },
    {
      "id": "harness-error",
      "cause": "harness_error",
      "when": { "field": "engine.harness_error", "op": "exists" },
      "explain": "The harness itself failed or its input is invalid: {engine.harness_error}. The cell says nothing about the host or the provider.",
      "evidence": ["00-cell.json", "03-pack.json"]
    },
    {
      "id": "engine-invariant-broken",
      "cause": "engine_defect",
      "when": {
        "any": [
          { "field": "engine.resources_missing_on_host", "op": "gt", "value": 0 },
          { "field": "engine.binding_wrong", "op": "eq", "value": true },
          { "field": "engine.invariant_violation", "op": "exists" }
        ]
      },
      "explain": "An engine invariant is broken[[ (batch status {engine.batch_status})]]: {engine.resources_missing_on_host} resource(s) the batch recorded are missing on the host[[; wrong binding: {engine.binding_wrong}]][[; {engine.invariant_violation}]].",
      "evidence": ["05-import.json", "07-access-status.json", "08-self-service-state.json", "08-subscription-group-state.json"]
    },
    {
      "id": "rollback-incomplete",
      "cause": "rollback_incomplete",
      "when": {
        "all": [
          { "field": "rollback.ran", "op": "eq", "value": true },
          { "any": [
            { "field": "rollback.remaining_owned", "op": "gt", "value": 0 },
            { "field": "rollback.status", "op": "eq", "value": "rollback_failed" }
          ] }
        ]
      },
      "explain": "Rollback of the batch left {rollback.remaining_owned} owned resource(s) on the host (rollback status {rollback.status})[[: {rollback.error}]]. Owned resources may remain on the host; re-run rollback for the batch once the host answers.",
      "evidence": ["20-rollback.json", "05-import.json"]
    },
    {
      "id": "gateway-proxy-error",
      "cause": "host_unreachable",
      "when": {
        "any": [
          { "all": [ { "field": "models.error_shape", "op": "eq", "value": "html" },
                     { "field": "models.status", "op": "gte", "value": 500 } ] },
          { "all": [ { "field": "chat.error_shape", "op": "eq", "value": "html" },
                     { "field": "chat.status", "op": "gte", "value": 500 } ] },
          { "all": [ { "field": "chat_stream.error_shape", "op": "eq", "value": "html" },
                     { "field": "chat_stream.status", "op": "gte", "value": 500 } ] }
        ]
      },
      "explain": "A web server in front of the host answered the gateway with an HTML error page instead of sub2api (/v1/models: {models.summary}; completion: {chat.summary}; stream: {chat_stream.summary}). sub2api answers its own errors as JSON, so the request never reached it or the proxy gave up waiting: the reverse proxy or the sub2api behind it is failing. Nothing about the provider was tested; check the proxy and the host, then re-run.",
      "evidence": ["10-chat.json", "10-chat.headers.txt", "09-models.json", "11-chat-stream.json"]
    },
    {
      "id": "upstream-quota-direct",
      "cause": "upstream_key_quota_issue",
      "when": { "all": [ { "ref": "gateway_not_ready" }, { "ref": "upstream_quota" } ] },
      "explain": "The upstream, called directly with the provider key, reports exhausted quota or balance (direct completion: {upstream_chat.summary}; direct /models: {upstream_models.summary}). Whatever the host answered (gateway completion: {chat.summary}) follows from that[[; host account penalties: {accounts.temp_unschedulable_reason}]]. Top up the provider key and re-run.",
      "evidence": ["19-upstream-chat.json", "17-upstream-models.json", "12-accounts-state.json", "10-chat.json"]
    },
    {
      "id": "upstream-auth-invalid",
      "cause": "upstream_auth_invalid",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "any": [
          { "fields": ["upstream_chat.status", "upstream_models.status"], "op": "in", "value": [401, 403] },
          { "fields": ["upstream_chat.vendor_code", "upstream_models.vendor_code"], "op": "in", "value": ["1004", "2049"] },
          { "fields": ["upstream_chat.error_type", "upstream_chat.error_code"], "op": "in",
            "value": ["authentication_error", "authorized_error", "AuthenticationError", "invalid_api_key", "InvalidApiKey"] }
        ]
      } ] },
      "explain": "The upstream rejects the provider key when called directly (direct completion: {upstream_chat.summary}; direct /models: {upstream_models.summary}). The key is wrong, expired, for another region, or lacks access; the host was not at fault.",
      "evidence": ["19-upstream-chat.json", "17-upstream-models.json"]
    },
    {
      "id": "upstream-unavailable-direct",
      "cause": "upstream_unavailable",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "any": [
          { "field": "upstream_chat.transport_error", "op": "in",
            "value": ["connect_failed", "tls", "dns", "timeout", "stalled", "too_large", "protocol"] },
          { "field": "upstream_chat.status", "op": "gte", "value": 500 },
          { "all": [
            { "field": "upstream_chat.attempted", "op": "eq", "value": false },
            { "any": [
              { "field": "upstream_models.transport_error", "op": "in",
                "value": ["connect_failed", "tls", "dns", "timeout", "stalled", "too_large", "protocol"] },
              { "field": "upstream_models.status", "op": "gte", "value": 500 }
            ] }
          ] }
        ]
      } ] },
      "explain": "The upstream itself is unavailable when called directly (direct completion: {upstream_chat.summary}; direct /models: {upstream_models.summary}). The host cannot do better than its upstream; re-run when the provider recovers.",
      "evidence": ["19-upstream-chat.json", "17-upstream-models.json", "10-chat.json"]
    },
    {
      "id": "upstream-rejects-smoke-payload",
      "cause": "harness_error",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "any": [
          { "all": [
            { "field": "upstream_chat.failed", "op": "eq", "value": true },
            { "field": "upstream_chat.status", "op": "gte", "value": 400 },
            { "field": "upstream_chat.status", "op": "lt", "value": 500 },
            { "field": "upstream_chat.status", "op": "ne", "value": 429 }
          ] },
          { "field": "upstream_chat.vendor_code", "op": "eq", "value": "2013" }
        ]
      } ] },
      "explain": "The upstream rejects the smoke request itself when called directly ({upstream_chat.summary}), so the pack's smoke_test_model ({smoke_model}) or payload is invalid for this provider. Fix the pack; the host was not tested fairly.",
      "evidence": ["19-upstream-chat.json", "03-pack.json"]
    },
    {
      "id": "upstream-not-serving-direct",
      "cause": "upstream_unavailable",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "all": [
          { "field": "upstream_chat.failed", "op": "eq", "value": true },
          { "field": "upstream_chat.status", "op": "lt", "value": 400 }
        ]
      } ] },
      "explain": "The upstream answers the direct smoke request, but not with a chat completion ({upstream_chat.summary}): an answer that is not a completion is no success, whatever its status. The upstream is not serving this model at this base URL; if it persists, check the pack's upstream base URL (a web page at 200 points at the wrong address). The host cannot do better than its upstream.",
      "evidence": ["19-upstream-chat.json", "19-upstream-chat.headers.txt", "03-pack.json", "10-chat.json"]
    },
    {
      "id": "engine-user-lacks-access",
      "cause": "engine_defect",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "all": [
          { "field": "engine.user_source", "op": "eq", "value": "engine" },
          { "ref": "gateway_access_denied" }
        ]
      } ] },
      "explain": "The ordinary user the engine created and funded is refused by the gateway (gateway completion: {chat.summary}[[; access check: {engine.access_error_code}]]): the engine's access closure ({mode}) did not give it the balance, subscription or binding it claims.",
      "evidence": ["07-access-status.json", "08-self-service-state.json", "08-subscription-group-state.json", "10-chat.json"]
    },
    {
      "id": "operator-user-lacks-access",
      "cause": "access_precondition_missing",
      "when": { "all": [ { "ref": "gateway_not_ready" }, { "ref": "gateway_access_denied" } ] },
      "explain": "The operator-supplied ordinary user is refused by the gateway before any upstream call (gateway completion: {chat.summary}[[; access check: {engine.access_error_code}]][[ {engine.access_error_message}]]). Give that user balance (self_service) or an active subscription (subscription) and re-run.",
      "evidence": ["08-self-service-state.json", "08-subscription-group-state.json", "10-chat.json", "07-access-status.json"]
    },
    {
      "id": "upstream-quota-seen-by-host",
      "cause": "upstream_key_quota_issue",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "all": [
          { "not": { "ref": "upstream_direct_ok" } },
          { "ref": "host_saw_quota" },
          { "any": [
            { "ref": "gateway_failed" },
            { "field": "chat.attempted", "op": "eq", "value": false }
          ] }
        ]
      } ] },
      "explain": "The host penalised the provider's accounts for exhausted upstream balance ([[accounts: {accounts.text}; ]][[account test: {account_test.error_text}; ]]gateway completion: {chat.summary}). Upstream direct: {upstream_chat.summary}. Top up the provider key and re-run.",
      "evidence": ["12-accounts-state.json", "06-account-probe.json", "10-chat.json", "19-upstream-chat.json"]
    },
    {
      "id": "upstream-keepalive-stall",
      "cause": "upstream_unavailable",
      "when": {
        "all": [
          { "field": "chat_stream.stalled", "op": "eq", "value": true },
          { "field": "chat_stream.chunks", "op": "eq", "value": 0 },
          { "field": "chat_stream.keepalive_comments", "op": "gt", "value": 0 },
          { "not": { "ref": "upstream_direct_ok" } }
        ]
      },
      "explain": "The gateway stream relayed {chat_stream.keepalive_comments} ': keep-alive' comment(s) and then nothing until the idle watchdog fired: the upstream never started inference (upstream direct: {upstream_chat.summary}).",
      "evidence": ["11-chat-stream.sse", "11-chat-stream.json", "19-upstream-chat.json"]
    },
    {
      "id": "transient-rate-limit",
      "cause": "transient_rate_limit",
      "when": { "all": [ { "ref": "gateway_not_ready" }, {
        "any": [
          { "fields": ["upstream_chat.status", "chat.status", "chat_stream.status"], "op": "eq", "value": 429 },
          { "fields": ["upstream_chat.vendor_code", "chat.vendor_code"], "op": "in", "value": ["1002", "1302", "1303", "1305", "1312"] },
          { "fields": ["chat.error_type", "chat_stream.error_type", "chat_stream.error_event_type"], "op": "in",
            "value": ["rate_limit_error", "rate_limit_exceeded"] },
          { "all": [
            { "field": "accounts.rate_limited_count", "op": "gt", "value": 0 },
            { "ref": "gateway_failed" }
          ] },
          { "all": [
            { "fields": ["chat.text", "chat_stream.text"], "op": "matches", "value": { "pattern": "transient_vocabulary" } },
            { "ref": "gateway_failed" }
          ] }
        ]
      } ] },
      "explain": "A rate limit without balance semantics (gateway completion: {chat.summary}; stream: {chat_stream.summary}; upstream direct: {upstream_chat.summary}; rate-limited accounts: {accounts.rate_limited_count}). This is not a verdict on the product; re-run later.",
      "evidence": ["10-chat.json", "11-chat-stream.json", "19-upstream-chat.json", "12-accounts-state.json"]
    },
    {
      "id": "reconcile-owned-drift",
      "cause": "reconcile_drift",
      "when": {
        "all": [
          { "field": "reconcile.ran", "op": "eq", "value": true },
          { "field": "reconcile.owned_drift_count", "op": "gt", "value": 0 }
        ]
      },
      "explain": "Reconcile found {reconcile.owned_drift_count} resource(s) owned by this batch missing or modified on the host (status {reconcile.status}); {reconcile.residue_count} foreign resource(s) in scope are residue and not counted.",
      "evidence": ["13-reconcile.json", "05-import.json"]
    },
    {
      "id": "gateway-rejects-bearer",
      "cause": "gateway_auth_mismatch",
      "when": {
        "any": [
          { "all": [
            { "field": "chat.status", "op": "in", "value": [401, 403] },
            { "field": "chat_alt_auth.ok", "op": "eq", "value": true }
          ] },
          { "all": [
            { "fields": ["chat.error_code", "models.error_code"], "op": "eq", "value": "API_KEY_REQUIRED" },
            { "field": "chat_alt_auth.ok", "op": "eq", "value": true }
          ] }
        ]
      },
      "explain": "The gateway refuses the user key sent as 'Authorization: Bearer', the style OpenAI-compatible clients use (completion: {chat.summary}; /v1/models: {models.summary}), while the same key sent as x-api-key answered {chat_alt_auth.summary}: the key is valid, but the host reads a different auth header than clients send.",
      "evidence": ["10-chat.json", "10-chat.headers.txt", "09-models.headers.txt"]
    },
    {
      "id": "gateway-rejects-engine-key",
      "cause": "engine_defect",
      "when": {
        "fields": ["chat.error_code", "models.error_code"], "op": "in",
        "value": ["INVALID_API_KEY", "API_KEY_DISABLED", "USER_NOT_FOUND", "GROUP_DELETED", "GROUP_DISABLED"]
      },
      "explain": "The gateway refuses the API key the engine created (completion: {chat.summary}; /v1/models: {models.summary}; x-api-key variant: {chat_alt_auth.summary}): the key or its group is not what the engine recorded.",
      "evidence": ["07-access-status.json", "08-self-service-state.json", "08-subscription-group-state.json", "10-chat.json"]
    },
    {
      "id": "model-not-listed",
      "cause": "model_not_exposed",
      "when": {
        "all": [
          { "field": "models.ok", "op": "eq", "value": true },
          { "field": "models.listed_smoke_model", "op": "eq", "value": false }
        ]
      },
      "explain": "The gateway's /v1/models does not list the smoke model {smoke_model}[[ (it lists: {models.model_ids})]]. The accounts' model_mapping or the channel does not expose it, so no client can select it.",
      "evidence": ["09-models.json", "05-import.json"]
    },
    {
      "id": "model-not-routable",
      "cause": "model_not_exposed",
      "when": {
        "all": [
          { "field": "chat.status", "op": "eq", "value": 404 },
          { "fields": ["chat.error_type", "chat.error_code", "chat.text"], "op": "matches",
            "value": { "pattern": "model_missing_vocabulary" } }
        ]
      },
      "explain": "The gateway answers 404 for the smoke model {smoke_model} ({chat.summary}): no account of the group maps it.",
      "evidence": ["10-chat.json", "09-models.json"]
    },
    {
      "id": "host-compatibility-gap",
      "cause": "host_compatibility_gap",
      "when": {
        "all": [
          { "ref": "upstream_direct_ok" },
          { "ref": "gateway_failed" }
        ]
      },
      "explain": "The upstream answers the same request directly ({upstream_chat.summary}) but the host does not: completion: {chat.summary}; stream: {chat_stream.summary}. The host's rewritten request or its stream relay is incompatible with this provider.",
      "evidence": ["19-upstream-chat.json", "10-chat.json", "11-chat-stream.sse", "11-chat-stream.json", "12-accounts-state.json"]
    },
    {
      "id": "models-only-false-ready",
      "cause": "models_only_false_ready",
      "when": {
        "all": [
          { "field": "models.ok", "op": "eq", "value": true },
          { "field": "models.listed_smoke_model", "op": "eq", "value": true },
          { "ref": "gateway_failed" },
          { "field": "engine.engine_claimed_ready", "op": "eq", "value": true }
        ]
      },
      "explain": "The engine claimed the cell ready[[ (access status {engine.access_status})]] and /v1/models lists {smoke_model}, but the completion fails (completion: {chat.summary}; stream: {chat_stream.summary}). /v1/models alone never proves readiness, and nothing proves the upstream at fault (upstream direct: {upstream_chat.summary}).",
      "evidence": ["09-models.json", "10-chat.json", "11-chat-stream.json", "07-access-status.json"]
    },
    {
      "id": "engine-batch-failed",
      "cause": "engine_defect",
      "when": {
        "any": [
          { "fields": ["engine.batch_status", "engine.import_status"], "op": "in", "value": ["failed", "rollback_failed"] },
          { "field": "engine.provider_status", "op": "eq", "value": "broken" }
        ]
      },
      "explain": "The engine's import did not complete[[; import {engine.import_status}]][[; batch {engine.batch_status}]][[; provider {engine.provider_status}]][[; engine error: {engine.engine_error}]]. The host and the upstream answered; the engine failed to provision.",
      "evidence": ["05-import.json", "04-preview.json"]
    },
    {
      "id": "completion-unattributed",
      "cause": "harness_error",
      "when": {
        "all": [
          { "field": "models.ok", "op": "eq", "value": true },
          { "field": "models.listed_smoke_model", "op": "eq", "value": true },
          { "ref": "gateway_failed" }
        ]
      },
      "explain": "/v1/models lists {smoke_model} but the completion fails through the gateway (completion: {chat.summary}; stream: {chat_stream.summary}), and the engine's own ready check agreed: it did not claim ready[[ (access status {engine.access_status})]]. Without a conclusive upstream-direct probe (upstream direct: {upstream_chat.summary}) the cell cannot tell a host fault from an upstream fault, so it blames neither: enable steps.upstream_probes with a resolvable provider key and re-run.",
      "evidence": ["10-chat.json", "11-chat-stream.json", "19-upstream-chat.json", "07-access-status.json", "09-models.json"]
    },
    {
      "id": "gateway-models-broken",
      "cause": "host_compatibility_gap",
      "when": { "field": "models.failed", "op": "eq", "value": true },
      "explain": "The gateway's own /v1/models fails for a valid key ({models.summary}).",
      "evidence": ["09-models.json", "09-models.headers.txt"]
    },
    {
      "id": "engine-access-broken",
      "cause": "engine_defect",
      "when": { "field": "engine.access_status", "op": "eq", "value": "broken" },
      "explain": "The engine reports its access closure as broken[[ ({engine.engine_error})]] and no gateway observation explains it.",
      "evidence": ["07-access-status.json"]
    },
    {
      "id": "shared-host-residue",
      "cause": "shared_host_residue",
      "when": {
        "all": [
          { "ref": "gateway_ready" },
          { "field": "reconcile.ran", "op": "eq", "value": true },
          { "field": "reconcile.residue_count", "op": "gt", "value": 0 }
        ]
      },
      "explain": "The cell is ready ({smoke_model} listed, completion and stream succeed). Reconcile found {reconcile.residue_count} foreign resource(s) in the same scope that this run does not own; they are noted, not counted against the product.",
      "evidence": ["13-reconcile.json", "09-models.json", "10-chat.json"]
    },
    {
      "id": "ready",
      "cause": "ready",
      "when": { "ref": "gateway_ready" },
      "explain": "Ready: /v1/models lists {smoke_model} and a completion through the gateway succeeds (completion: {chat.summary}; stream: {chat_stream.summary}).",
      "evidence": ["09-models.json", "10-chat.json", "11-chat-stream.json"]
    }
  ],
  "notes": [
    {
      "id": "read-back-failed",
      "when": { "field": "engine.read_back_error", "op": "exists" },
      "text": "A host read the cause does not rest on failed, so its evidence is missing: {engine.read_back_error}."
    },
    {
      "id": "gateway-x-api-key-refused",
      "when": {
        "all": [
          { "field": "chat.ok", "op": "eq", "value": true },
          { "field": "chat_alt_auth.status", "op": "in", "value": [401, 403] }
        ]
      },
      "text": "The gateway accepts the user key as 'Authorization: Bearer' but refuses the same key sent as 'x-api-key' ({chat_alt_auth.summary}). Bearer is what OpenAI-compatible clients send, so this does not block; only clients configured for x-api-key would fail against this host."
    }
  ]
}
)crm_rules_json";

}  // namespace crm::harness::classify
