#include "harness/runner/cell_plan.hpp"

#include <catch2/catch.hpp>

using namespace crm::harness;
using runner::StepPhase;
using runner::StepTarget;

namespace {

matrix::Cell cell_of(scenario::Mode mode) {
    matrix::Cell c;
    c.mode = mode;
    c.pack = "cn-core";
    c.provider = "deepseek";
    return c;
}

}  // namespace

TEST_CASE("cell plan: phases run provision, probe, rollback, summary in that order, one rollback and one summary") {
    auto plan = runner::plan_cell(cell_of(scenario::Mode::self_service), {});
    REQUIRE_FALSE(plan.empty());
    int last = -1;
    int rollbacks = 0;
    for (const auto& s : plan) {
        INFO(s.number);
        CHECK(static_cast<int>(s.phase) >= last);
        last = static_cast<int>(s.phase);
        if (s.phase == StepPhase::rollback) ++rollbacks;
        CHECK(s.touches_network == (s.target != StepTarget::local));
    }
    CHECK(rollbacks == 1);
    CHECK(plan.front().phase == StepPhase::provision);
    CHECK(plan.back().phase == StepPhase::summary);
    CHECK(plan.back().number == 21);
}

TEST_CASE("cell plan: only the upstream-direct steps talk to the upstream, started once the access read-back ran") {
    for (auto mode : {scenario::Mode::self_service, scenario::Mode::subscription}) {
        for (const auto& s : runner::plan_cell(cell_of(mode), {})) {
            INFO(s.number);
            CHECK((s.target == StepTarget::upstream) == (s.number == 17 || s.number == 19));
            if (s.target == StepTarget::upstream) {
                CHECK(s.phase == StepPhase::probe);
                CHECK(s.starts_after == 8);
            }
        }
    }
}

TEST_CASE("cell plan: a step's artifact file is found by its ending") {
    auto plan = runner::plan_cell(cell_of(scenario::Mode::subscription), {});
    for (const auto& s : plan) {
        if (s.number == 8) CHECK(s.file(".json") == "08-subscription-group-state.json");
        if (s.number == 11) {
            CHECK(s.file(".sse") == "11-chat-stream.sse");
            CHECK(s.file(".json") == "11-chat-stream.json");
        }
        if (s.number == 17) CHECK(s.file(".headers.txt") == "17-upstream-models.headers.txt");
    }
}
