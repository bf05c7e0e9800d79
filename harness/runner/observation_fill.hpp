#pragma once
// Maps probe and engine results onto the classifier's plain CellObservations (the only input of
// classify()). Pure functions: no IO, no secrets copied (keys never reach observations).
//
// Meaning is kept, not only statuses: fill_chat / fill_models record whether a 2xx body was the
// payload asked for (payload_parsed), every exchange keeps the transport's own line
// (transport_detail), and fill_capabilities tells a refusal (401/403/423, a refusal code:
// admin_rejected) from an admin API that does not speak sub2api at all (admin_api_error).
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/model/outcomes.hpp"
#include "harness/classify/observations.hpp"
#include "probes/account/account_probe.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "probes/http/probe_exchange.hpp"
#include "probes/sub2api/dto.hpp"
#include "probes/sub2api/host_capabilities.hpp"
#include "util/error.hpp"

namespace crm::harness::runner {

void fill_exchange(classify::HttpObservation& o, const probes::ProbeExchange& ex, std::string_view artifact);
void fill_host_health(classify::CellObservations& obs, const probes::ProbeExchange& health);
void fill_host_error(classify::CellObservations& obs, const util::Error& error);
void fill_capabilities(classify::CellObservations& obs, const probes::sub2api::HostCapabilities& caps);
void fill_import_error(classify::CellObservations& obs, const util::Error& error);
void fill_import(classify::CellObservations& obs, const engine::ImportOutcome& out);
void fill_access(classify::CellObservations& obs, const engine::AccessOutcome& out);
// The account tests of step 06: the worst outcome (error > rate_limited > success) and the
// failures' text.
void fill_account_tests(classify::CellObservations& obs, const std::vector<engine::AccountTestResult>& tests);
void fill_models(classify::ModelsObservation& o, const probes::gateway::ModelsResult& r, std::string_view artifact);
void fill_chat(classify::HttpObservation& o, const probes::gateway::ChatResult& r, std::string_view artifact);
void fill_stream(classify::StreamObservation& o, const probes::gateway::ChatStreamResult& r);
// The host's read-back of the provider's accounts (12); an account counts as rate-limited while
// its rate_limit_reset_at is after `now_unix`.
void fill_accounts(classify::CellObservations& obs, const std::vector<probes::account::AccountState>& accounts,
                   std::int64_t now_unix);
void fill_reconcile(classify::CellObservations& obs, const engine::ReconcileOutcome& out);
// Preview warnings that quote a host answer that is not sub2api (its reads are advisory).
void fill_preview_warnings(classify::CellObservations& obs, const engine::ImportPlan& plan);
// The 08 read-back's parts that failed ({"user": {"error": "..."}}): kept for a note.
void fill_mode_state(classify::CellObservations& obs, const util::json::value& state);
// A read-back the cause does not rest on (08, 12, 13) failed: kept for a note.
void fill_read_back_error(classify::CellObservations& obs, std::string_view step, const util::Error& error);
void fill_rollback(classify::CellObservations& obs, const engine::RollbackOutcome& out);

}  // namespace crm::harness::runner
