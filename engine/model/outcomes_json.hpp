#pragma once
// The outcomes read back from their JSON (outcomes.hpp's to_json), e.g. from the control plane's
// HTTP answers: from_json(x.to_json()) == x for every field to_json writes, and
// to_json(from_json(j)) == j for every j to_json wrote. What to_json never writes comes back
// empty: AccessOutcome::api_key (a secret), and the error code of an outcome written without
// one. Derived keys (ready, residue_count, read_back.clean) are not read.
//
// Failure: ErrorCode::protocol, one line naming the outcome and the field by its JSON path
// ("import outcome: resources[1].state: must be one of intent, created, ..."), for a missing
// field, a value of another type, or an unknown enum spelling. Unknown extra keys are ignored
// (a newer server may add fields).
#include "engine/model/outcomes.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::engine {

[[nodiscard]] util::Result<ImportOutcome> import_outcome_from_json(const json::value& v);
[[nodiscard]] util::Result<AccessOutcome> access_outcome_from_json(const json::value& v);
[[nodiscard]] util::Result<ReconcileOutcome> reconcile_outcome_from_json(const json::value& v);
[[nodiscard]] util::Result<RollbackOutcome> rollback_outcome_from_json(const json::value& v);
[[nodiscard]] util::Result<BatchReport> batch_report_from_json(const json::value& v);

// The spelling util::to_string(ErrorCode) writes, back; nullopt for an unknown one.
[[nodiscard]] std::optional<util::ErrorCode> parse_error_code(std::string_view s) noexcept;

}  // namespace crm::engine
