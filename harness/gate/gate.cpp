#include "harness/gate/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "harness/classify/cause.hpp"

namespace crm::harness::gate {

const char* to_string(CellOutcome o) noexcept {
    switch (o) {
        case CellOutcome::passed: return "passed";
        case CellOutcome::expectation_met: return "expectation_met";
        case CellOutcome::known_failure: return "known_failure";
        case CellOutcome::expectation_mismatch: return "expectation_mismatch";
        case CellOutcome::stale_baseline: return "stale_baseline";
        case CellOutcome::blocking_failure: return "blocking_failure";
        case CellOutcome::not_passing: return "not_passing";
        case CellOutcome::environment_error: return "environment_error";
        case CellOutcome::harness_error: return "harness_error";
    }
    return "unknown";
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

bool is_blocking(const std::string& cause, const GatePolicyInput& policy) {
    if (policy.blocking_causes) {
        const auto& b = *policy.blocking_causes;
        return std::find(b.begin(), b.end(), cause) != b.end();
    }
    auto known = classify::parse_cause(cause);
    return known ? classify::blocks_release_by_default(*known) : true;  // an unknown cause is never waved through
}

int severity(CellOutcome o) {
    switch (o) {
        case CellOutcome::harness_error: return 3;
        case CellOutcome::expectation_mismatch:
        case CellOutcome::stale_baseline:
        case CellOutcome::blocking_failure: return 2;
        case CellOutcome::not_passing:
        case CellOutcome::environment_error: return 1;
        default: return 0;
    }
}

}  // namespace

CellDecision decide_cell(const CellResult& cell, const GatePolicyInput& policy, std::string_view today) {
    CellDecision d;
    d.cell = cell.cell;
    const bool verdict_pass = cell.verdict == "pass";
    if (cell.expected_cause) {
        if (cell.cause == *cell.expected_cause) {
            d.outcome = CellOutcome::expectation_met;
            d.reason = fmt::format("expected {} and observed it", cell.cause);
        } else {
            d.outcome = CellOutcome::expectation_mismatch;
            d.passed = false;
            d.reason = fmt::format("expected {} but observed {}", *cell.expected_cause, cell.cause);
        }
        return d;
    }
    const BaselineEntry* entry = policy.baseline ? policy.baseline->find(cell.cell) : nullptr;
    std::string today_s = today.empty() ? today_utc() : std::string(today);
    if (entry && entry->expires && *entry->expires < today_s) entry = nullptr;
    if (entry) {
        if (verdict_pass) {
            d.outcome = CellOutcome::stale_baseline;
            d.passed = false;
            d.reason = fmt::format("baseline lists this cell as failing but it is {} now: remove the stale entry",
                                   cell.cause);
            return d;
        }
        if (!entry->cause || *entry->cause == cell.cause) {
            d.outcome = CellOutcome::known_failure;
            d.reason = fmt::format("known failure {} excused by baseline{}", cell.cause,
                                   entry->reason.empty() ? "" : ": " + entry->reason);
            return d;
        }
    }
    if (verdict_pass) {
        d.outcome = CellOutcome::passed;
        d.reason = cell.cause;
        return d;
    }
    d.passed = false;
    if (cell.cause == "harness_error") {
        d.outcome = CellOutcome::harness_error;
        d.reason = "the harness could not test this cell";
    } else if (cell.verdict == "error") {
        // Blocking or not, an unreachable or refusing host proves nothing about the product.
        d.outcome = CellOutcome::environment_error;
        d.reason = fmt::format("{}: the host could not be tested, so the gate cannot pass", cell.cause);
    } else if (is_blocking(cell.cause, policy)) {
        d.outcome = CellOutcome::blocking_failure;
        d.reason = fmt::format("{} blocks the release", cell.cause);
    } else {
        d.outcome = CellOutcome::not_passing;
        d.reason = fmt::format("{} ({}) keeps the gate from passing", cell.cause, cell.verdict);
    }
    if (entry && entry->cause)
        d.reason += fmt::format(" (baseline expects {})", *entry->cause);
    return d;
}

GateDecision decide(const std::vector<CellResult>& cells, const GatePolicyInput& policy,
                    std::optional<std::chrono::seconds> evidence_age, std::string_view today) {
    GateDecision g;
    std::string today_s = today.empty() ? today_utc() : std::string(today);
    int worst = 0;
    for (const auto& c : cells) {
        g.cells.push_back(decide_cell(c, policy, today_s));
        worst = std::max(worst, severity(g.cells.back().outcome));
    }
    if (policy.baseline) {
        for (const auto& e : policy.baseline->entries) {
            if (e.expires && *e.expires < today_s)
                g.notes.push_back(fmt::format("baseline entry for {} expired on {}", e.cell, *e.expires));
            bool present = std::any_of(cells.begin(), cells.end(), [&](const CellResult& c) { return c.cell == e.cell; });
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
        case 3: g.exit_code = ExitCode::harness_error; break;
        case 2: g.exit_code = ExitCode::product_failure; break;
        case 1: g.exit_code = ExitCode::environment_blocked; break;
        default: g.exit_code = ExitCode::gate_passed;
    }
    g.passed = worst == 0;
    return g;
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
