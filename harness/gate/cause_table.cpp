#include "harness/gate/cause_table.hpp"

namespace crm::harness::gate {

const std::vector<CauseInfo>& cause_table() {
    static const std::vector<CauseInfo> table = {
        {"ready", "pass", false},
        {"host_compatibility_gap", "fail", true},
        {"models_only_false_ready", "fail", true},
        {"model_not_exposed", "fail", true},
        {"gateway_auth_mismatch", "fail", true},
        {"engine_defect", "fail", true},
        {"reconcile_drift", "fail", true},
        {"rollback_incomplete", "fail", true},
        {"upstream_key_quota_issue", "blocked", false},
        {"upstream_auth_invalid", "blocked", false},
        {"upstream_unavailable", "blocked", false},
        {"access_precondition_missing", "blocked", false},
        {"transient_rate_limit", "inconclusive", false},
        {"shared_host_residue", "pass", false},
        {"host_unreachable", "error", true},
        {"host_admin_rejected", "error", true},
        {"harness_error", "error", true},
    };
    return table;
}

std::optional<CauseInfo> find_cause(std::string_view name) {
    for (const auto& c : cause_table()) {
        if (c.name == name) return c;
    }
    return std::nullopt;
}

bool is_known_cause(std::string_view name) { return find_cause(name).has_value(); }

}  // namespace crm::harness::gate
