#include <catch2/catch.hpp>

#include "harness/classify/cause.hpp"

using namespace crm::harness::classify;

TEST_CASE("cause: the closed list keeps the spec order and names round-trip", "[classify]") {
    REQUIRE(k_all_causes.size() == 17);
    CHECK(static_cast<int>(Cause::ready) == 0);
    CHECK(static_cast<int>(Cause::harness_error) == 16);
    CHECK(to_string(k_all_causes[8]) == "upstream_key_quota_issue");
    for (Cause c : k_all_causes) {
        INFO(to_string(c));
        auto back = parse_cause(to_string(c));
        REQUIRE(back);
        CHECK(*back == c);
    }
    CHECK_FALSE(parse_cause("Ready"));
    CHECK_FALSE(parse_cause("unknown"));
    for (Verdict v : k_all_verdicts) CHECK(parse_verdict(to_string(v)) == v);
    CHECK_FALSE(parse_verdict("passed"));
}

TEST_CASE("cause: verdicts and release blocking follow the spec table", "[classify]") {
    CHECK(verdict_of(Cause::ready) == Verdict::pass);
    CHECK(verdict_of(Cause::shared_host_residue) == Verdict::pass);
    CHECK(is_noted_pass(Cause::shared_host_residue));
    CHECK_FALSE(is_noted_pass(Cause::ready));
    for (Cause c :
         {Cause::host_compatibility_gap, Cause::models_only_false_ready, Cause::model_not_exposed,
          Cause::gateway_auth_mismatch, Cause::engine_defect, Cause::reconcile_drift, Cause::rollback_incomplete}) {
        INFO(to_string(c));
        CHECK(verdict_of(c) == Verdict::fail);
        CHECK(blocks_release_by_default(c));
    }
    for (Cause c : {Cause::upstream_key_quota_issue, Cause::upstream_auth_invalid, Cause::upstream_unavailable,
                    Cause::access_precondition_missing}) {
        INFO(to_string(c));
        CHECK(verdict_of(c) == Verdict::blocked);
        CHECK_FALSE(blocks_release_by_default(c));
    }
    CHECK(verdict_of(Cause::transient_rate_limit) == Verdict::inconclusive);
    CHECK_FALSE(blocks_release_by_default(Cause::transient_rate_limit));
    for (Cause c : {Cause::host_unreachable, Cause::host_admin_rejected, Cause::harness_error}) {
        CHECK(verdict_of(c) == Verdict::error);
        CHECK(blocks_release_by_default(c));
    }
    CHECK_FALSE(blocks_release_by_default(Cause::ready));
    CHECK_FALSE(blocks_release_by_default(Cause::shared_host_residue));
}
