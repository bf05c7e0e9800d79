#pragma once
// The exit codes of crm-accept, one named enum mapped in main. Nothing else calls
// exit(); commands return an ExitCode.
namespace crm::harness {

enum class ExitCode : int {
    gate_passed = 0,          // every required cell is ready (or matches its expectation)
    product_failure = 1,      // a blocking product failure (host / engine defect)
    environment_blocked = 2,  // only blocked / inconclusive cells kept the gate from passing
    harness_error = 3,        // the toolkit failed, or its input (scenario, pack, bundle) is invalid
    audit_failed = 4,  // the bundle fails verify's checks: secret found, manifest mismatch, broken layout/content/plan
    // status --enforce: the evidence root is larger than its budget. A CI guard's own code, so a
    // full disk of evidence is not mistaken for a failed gate or a broken toolkit.
    over_budget = 5,
    usage = 64,         // bad command line
    interrupted = 130,  // SIGINT / SIGTERM
};

[[nodiscard]] constexpr int to_int(ExitCode c) { return static_cast<int>(c); }

}  // namespace crm::harness
