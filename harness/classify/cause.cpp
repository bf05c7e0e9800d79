#include "harness/classify/cause.hpp"

namespace crm::harness::classify {

std::string_view to_string(Cause cause) noexcept {
    switch (cause) {
        case Cause::ready:
            return "ready";
        case Cause::host_compatibility_gap:
            return "host_compatibility_gap";
        case Cause::models_only_false_ready:
            return "models_only_false_ready";
        case Cause::model_not_exposed:
            return "model_not_exposed";
        case Cause::gateway_auth_mismatch:
            return "gateway_auth_mismatch";
        case Cause::engine_defect:
            return "engine_defect";
        case Cause::reconcile_drift:
            return "reconcile_drift";
        case Cause::rollback_incomplete:
            return "rollback_incomplete";
        case Cause::upstream_key_quota_issue:
            return "upstream_key_quota_issue";
        case Cause::upstream_auth_invalid:
            return "upstream_auth_invalid";
        case Cause::upstream_unavailable:
            return "upstream_unavailable";
        case Cause::access_precondition_missing:
            return "access_precondition_missing";
        case Cause::transient_rate_limit:
            return "transient_rate_limit";
        case Cause::shared_host_residue:
            return "shared_host_residue";
        case Cause::host_unreachable:
            return "host_unreachable";
        case Cause::host_admin_rejected:
            return "host_admin_rejected";
        case Cause::harness_error:
            return "harness_error";
    }
    return "harness_error";
}

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::pass:
            return "pass";
        case Verdict::fail:
            return "fail";
        case Verdict::blocked:
            return "blocked";
        case Verdict::inconclusive:
            return "inconclusive";
        case Verdict::error:
            return "error";
    }
    return "error";
}

std::optional<Cause> parse_cause(std::string_view name) noexcept {
    for (Cause c : k_all_causes) {
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

std::optional<Verdict> parse_verdict(std::string_view name) noexcept {
    for (Verdict v : k_all_verdicts) {
        if (to_string(v) == name) return v;
    }
    return std::nullopt;
}

Verdict verdict_of(Cause cause) noexcept {
    switch (cause) {
        case Cause::ready:
        case Cause::shared_host_residue:
            return Verdict::pass;
        case Cause::host_compatibility_gap:
        case Cause::models_only_false_ready:
        case Cause::model_not_exposed:
        case Cause::gateway_auth_mismatch:
        case Cause::engine_defect:
        case Cause::reconcile_drift:
        case Cause::rollback_incomplete:
            return Verdict::fail;
        case Cause::upstream_key_quota_issue:
        case Cause::upstream_auth_invalid:
        case Cause::upstream_unavailable:
        case Cause::access_precondition_missing:
            return Verdict::blocked;
        case Cause::transient_rate_limit:
            return Verdict::inconclusive;
        case Cause::host_unreachable:
        case Cause::host_admin_rejected:
        case Cause::harness_error:
            return Verdict::error;
    }
    return Verdict::error;
}

bool blocks_release_by_default(Cause cause) noexcept {
    switch (verdict_of(cause)) {
        case Verdict::fail:
        case Verdict::error:
            return true;
        case Verdict::pass:
        case Verdict::blocked:
        case Verdict::inconclusive:
            return false;
    }
    return true;
}

bool is_noted_pass(Cause cause) noexcept { return cause == Cause::shared_host_residue; }

}  // namespace crm::harness::classify
