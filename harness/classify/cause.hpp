#pragma once
// The closed, append-only list of cell causes and verdict classes (docs/CAUSES.md). The order of the
// enumerators is the order of the table in docs/CAUSES.md and is part of the contract: append new causes at
// the end, never reorder or renumber. Strings are the snake_case names used in every artifact.
#include <array>
#include <optional>
#include <string_view>

namespace crm::harness::classify {

enum class Cause {
    ready,
    host_compatibility_gap,
    models_only_false_ready,
    model_not_exposed,
    gateway_auth_mismatch,
    engine_defect,
    reconcile_drift,
    rollback_incomplete,
    upstream_key_quota_issue,
    upstream_auth_invalid,
    upstream_unavailable,
    access_precondition_missing,
    transient_rate_limit,
    shared_host_residue,
    host_unreachable,
    host_admin_rejected,
    harness_error,
};

inline constexpr std::array<Cause, 17> k_all_causes = {
    Cause::ready,
    Cause::host_compatibility_gap,
    Cause::models_only_false_ready,
    Cause::model_not_exposed,
    Cause::gateway_auth_mismatch,
    Cause::engine_defect,
    Cause::reconcile_drift,
    Cause::rollback_incomplete,
    Cause::upstream_key_quota_issue,
    Cause::upstream_auth_invalid,
    Cause::upstream_unavailable,
    Cause::access_precondition_missing,
    Cause::transient_rate_limit,
    Cause::shared_host_residue,
    Cause::host_unreachable,
    Cause::host_admin_rejected,
    Cause::harness_error,
};

// pass: the cell is ready (shared_host_residue is a pass with a note).
// fail: the product (host or engine) is wrong.        blocked: the environment kept us from testing.
// inconclusive: retry later.                          error: we could not test (infra / toolkit).
enum class Verdict { pass, fail, blocked, inconclusive, error };

inline constexpr std::array<Verdict, 5> k_all_verdicts = {Verdict::pass, Verdict::fail, Verdict::blocked,
                                                          Verdict::inconclusive, Verdict::error};

[[nodiscard]] std::string_view to_string(Cause cause) noexcept;
[[nodiscard]] std::string_view to_string(Verdict verdict) noexcept;
// Exact, case-sensitive names; nullopt for anything else.
[[nodiscard]] std::optional<Cause> parse_cause(std::string_view name) noexcept;
[[nodiscard]] std::optional<Verdict> parse_verdict(std::string_view name) noexcept;

// The verdict class of a cause (the table in docs/CAUSES.md).
[[nodiscard]] Verdict verdict_of(Cause cause) noexcept;
// Whether the cause fails the release gate when no baseline lists it (the table in docs/CAUSES.md).
[[nodiscard]] bool blocks_release_by_default(Cause cause) noexcept;
// A passing cause that still deserves a note in reports (shared_host_residue).
[[nodiscard]] bool is_noted_pass(Cause cause) noexcept;

}  // namespace crm::harness::classify
