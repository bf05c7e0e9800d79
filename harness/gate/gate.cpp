#include "harness/gate/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "harness/classify/cause.hpp"

namespace crm::harness::gate {

const char* to_string(CellOutcome o) noexcept {
    switch (o) {
        case CellOutcome::passed:
            return "passed";
        case CellOutcome::expectation_met:
            return "expectation_met";
        case CellOutcome::known_failure:
            return "known_failure";
        case CellOutcome::expectation_mismatch:
            return "expectation_mismatch";
        case CellOutcome::stale_baseline:
            return "stale_baseline";
        case CellOutcome::blocking_failure:
            return "blocking_failure";
        case CellOutcome::not_passing:
            return "not_passing";
        case CellOutcome::environment_error:
            return "environment_error";
        case CellOutcome::harness_error:
            return "harness_error";
        case CellOutcome::not_run:
            return "not_run";
    }
    return "unknown";
}

std::optional<CellOutcome> parse_outcome(std::string_view name) noexcept {
    for (auto o :
         {CellOutcome::passed, CellOutcome::expectation_met, CellOutcome::known_failure,
          CellOutcome::expectation_mismatch, CellOutcome::stale_baseline, CellOutcome::blocking_failure,
          CellOutcome::not_passing, CellOutcome::environment_error, CellOutcome::harness_error, CellOutcome::not_run}) {
        if (name == to_string(o)) return o;
    }
    return std::nullopt;
}

bool outcome_passes(CellOutcome o) noexcept {
    return o == CellOutcome::passed || o == CellOutcome::expectation_met || o == CellOutcome::known_failure;
}

std::string today_utc() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

namespace {

bool is_blocking(classify::Cause cause, const GatePolicyInput& policy) {
    if (policy.blocking_causes) {
        const auto& b = *policy.blocking_causes;
        return std::find(b.begin(), b.end(), cause) != b.end();
    }
    return classify::blocks_release_by_default(cause);
}

int severity(CellOutcome o) {
    switch (o) {
        case CellOutcome::harness_error:
        case CellOutcome::not_run:
            return 3;
        case CellOutcome::expectation_mismatch:
        case CellOutcome::stale_baseline:
        case CellOutcome::blocking_failure:
            return 2;
        case CellOutcome::not_passing:
        case CellOutcome::environment_error:
            return 1;
        default:
            return 0;
    }
}

}  // namespace

CellDecision decide_cell(const CellResult& cell, const GatePolicyInput& policy, std::string_view today) {
    using classify::Cause;
    using classify::Verdict;
    const auto cause = classify::to_string(cell.cause);
    const auto verdict = classify::to_string(cell.verdict);
    const bool verdict_pass = cell.verdict == Verdict::pass;
    auto decided = [&](CellOutcome outcome, std::string reason) {
        return CellDecision{cell.cell, outcome, outcome_passes(outcome), std::move(reason)};
    };
    if (cell.expected_cause) {
        if (cell.cause == *cell.expected_cause)
            return decided(CellOutcome::expectation_met, fmt::format("expected {} and observed it", cause));
        return decided(CellOutcome::expectation_mismatch,
                       fmt::format("expected {} but observed {}", classify::to_string(*cell.expected_cause), cause));
    }
    const BaselineEntry* entry = policy.baseline ? policy.baseline->find(cell.cell) : nullptr;
    std::string today_s = today.empty() ? today_utc() : std::string(today);
    if (entry && entry->expires && *entry->expires < today_s) entry = nullptr;
    if (entry) {
        if (verdict_pass)
            return decided(
                CellOutcome::stale_baseline,
                fmt::format("baseline lists this cell as failing but it is {} now: remove the stale entry", cause));
        if (!entry->cause || *entry->cause == cell.cause)
            return decided(CellOutcome::known_failure, fmt::format("known failure {} excused by baseline{}", cause,
                                                                   entry->reason.empty() ? "" : ": " + entry->reason));
    }
    if (verdict_pass) return decided(CellOutcome::passed, std::string(cause));
    // Blocking or not, an unreachable or refusing host (verdict error) proves nothing about the
    // product.
    CellDecision d =
        cell.cause == Cause::harness_error ? decided(CellOutcome::harness_error, "the harness could not test this cell")
        : cell.verdict == Verdict::error
            ? decided(CellOutcome::environment_error,
                      fmt::format("{}: the host could not be tested, so the gate cannot pass", cause))
        : is_blocking(cell.cause, policy)
            ? decided(CellOutcome::blocking_failure, fmt::format("{} blocks the release", cause))
            : decided(CellOutcome::not_passing, fmt::format("{} ({}) keeps the gate from passing", cause, verdict));
    if (entry && entry->cause) d.reason += fmt::format(" (baseline expects {})", classify::to_string(*entry->cause));
    return d;
}

CellDecision not_run(std::string cell, std::string reason) {
    return CellDecision{std::move(cell), CellOutcome::not_run, false, std::move(reason)};
}

GateDecision decide_run(std::vector<CellDecision> cells, const GatePolicyInput& policy,
                        std::optional<std::chrono::seconds> evidence_age, std::string_view today) {
    GateDecision g;
    std::string today_s = today.empty() ? today_utc() : std::string(today);
    int worst = 0;
    for (const auto& c : cells) worst = std::max(worst, severity(c.outcome));
    g.cells = std::move(cells);
    if (policy.baseline) {
        for (const auto& e : policy.baseline->entries) {
            if (e.expires && *e.expires < today_s)
                g.notes.push_back(fmt::format("baseline entry for {} expired on {}", e.cell, *e.expires));
            bool present =
                std::any_of(g.cells.begin(), g.cells.end(), [&](const CellDecision& c) { return c.cell == e.cell; });
            if (!present) g.notes.push_back(fmt::format("baseline entry for {} matched no cell of this run", e.cell));
        }
    }
    if (evidence_age && policy.max_evidence_age && *evidence_age > *policy.max_evidence_age) {
        g.evidence_stale = true;
        g.notes.push_back(fmt::format("evidence is {}s old, older than max_evidence_age {}s", evidence_age->count(),
                                      policy.max_evidence_age->count()));
        worst = std::max(worst, 1);
    }
    switch (worst) {
        case 3:
            g.exit_code = ExitCode::harness_error;
            break;
        case 2:
            g.exit_code = ExitCode::product_failure;
            break;
        case 1:
            g.exit_code = ExitCode::environment_blocked;
            break;
        default:
            g.exit_code = ExitCode::gate_passed;
    }
    g.passed = worst == 0;
    return g;
}

GateDecision decide(const std::vector<CellResult>& cells, const GatePolicyInput& policy,
                    std::optional<std::chrono::seconds> evidence_age, std::string_view today) {
    std::string today_s = today.empty() ? today_utc() : std::string(today);
    std::vector<CellDecision> decisions;
    decisions.reserve(cells.size());
    for (const auto& c : cells) decisions.push_back(decide_cell(c, policy, today_s));
    return decide_run(std::move(decisions), policy, evidence_age, today_s);
}

util::json::value GateDecision::to_json() const {
    util::json::object o;
    o["passed"] = passed;
    o["exit_code"] = to_int(exit_code);
    o["evidence_stale"] = evidence_stale;
    util::json::array arr;
    for (const auto& c : cells) {
        util::json::object co;
        co["cell"] = c.cell;
        co["outcome"] = to_string(c.outcome);
        co["passed"] = c.passed;
        co["reason"] = c.reason;
        arr.push_back(std::move(co));
    }
    o["cells"] = std::move(arr);
    util::json::array note_list;
    for (const auto& n : notes) note_list.push_back(util::json::value(n));
    o["notes"] = std::move(note_list);
    return o;
}

}  // namespace crm::harness::gate
