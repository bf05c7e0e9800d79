#include "harness/cli/progress_printer.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>

using namespace crm::harness;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    ProgressPrinter::Clock fn() {
        return [this] { return now; };
    }
};

matrix::Cell cell(std::string id) {
    matrix::Cell c;
    c.id = std::move(id);
    return c;
}

runner::CellReport finished(const matrix::Cell& c, classify::Cause cause, gate::CellOutcome outcome) {
    runner::CellReport r;
    r.cell = c;
    r.started = true;
    r.finished = true;
    r.classification.cause = cause;
    r.classification.verdict = classify::verdict_of(cause);
    r.decision = gate::CellDecision{c.id, outcome, gate::outcome_passes(outcome), "why"};
    r.elapsed_ms = 2500;
    return r;
}

}  // namespace

TEST_CASE("progress (log): a line when a cell starts and ends, with cause, gate and elapsed and no escapes",
          "[progress]") {
    FakeClock clock;
    std::ostringstream os;
    ProgressPrinter p(os, {true, false, true}, clock.fn());
    const auto c = cell("self_service__deepseek");
    p.cell_started(c);
    p.step_started(c, 9, "models");
    clock.now += 3s;
    p.cell_finished(finished(c, classify::Cause::host_compatibility_gap, gate::CellOutcome::blocking_failure));
    CHECK(os.str() ==
          "[   0.0s] start self_service__deepseek\n"
          "[   3.0s] end   self_service__deepseek cause=host_compatibility_gap gate=blocking_failure elapsed=2.5s\n");
}

TEST_CASE("progress (log): a step running for 5 s gets a heartbeat naming it, then every 30 s", "[progress]") {
    FakeClock clock;
    std::ostringstream os;
    ProgressPrinter p(os, {true, false, false}, clock.fn());
    REQUIRE(p.wants_heartbeat());
    const auto c = cell("subscription__kimi");
    p.cell_started(c);
    p.step_started(c, 10, "chat");
    clock.now += 4s;
    p.heartbeat();
    CHECK(os.str() == "[   0.0s] start subscription__kimi\n");
    clock.now += 2s;
    p.heartbeat();
    p.heartbeat();  // once per threshold, however often it is asked
    CHECK(os.str().ends_with("[   6.0s] still running subscription__kimi in step 10 chat for 6s\n"));
    clock.now += 20s;
    p.heartbeat();
    CHECK(os.str().find("for 26s") == std::string::npos);
    clock.now += 10s;
    p.heartbeat();
    CHECK(os.str().ends_with("still running subscription__kimi in step 10 chat for 36s\n"));
    p.step_started(c, 11, "stream");  // a new step starts its own count
    clock.now += 1s;
    p.heartbeat();
    CHECK(os.str().ends_with("for 36s\n"));
    p.cell_finished(finished(c, classify::Cause::ready, gate::CellOutcome::passed));
    clock.now += 60s;
    p.heartbeat();
    CHECK(os.str().ends_with("gate=passed elapsed=2.5s\n"));
}

TEST_CASE("progress: --quiet prints nothing and a terminal gets in-place step lines and colour", "[progress]") {
    FakeClock clock;
    const auto c = cell("self_service__glm");
    std::ostringstream quiet_os;
    ProgressPrinter quiet(quiet_os, {false, false, false}, clock.fn());
    CHECK_FALSE(quiet.wants_heartbeat());
    quiet.cell_started(c);
    quiet.step_started(c, 9, "models");
    quiet.cell_finished(finished(c, classify::Cause::ready, gate::CellOutcome::passed));
    CHECK(quiet_os.str().empty());

    std::ostringstream tty_os;
    ProgressPrinter tty(tty_os, {true, true, true}, clock.fn());
    CHECK_FALSE(tty.wants_heartbeat());
    tty.cell_started(c);
    tty.step_started(c, 9, "models");
    tty.cell_finished(finished(c, classify::Cause::ready, gate::CellOutcome::passed));
    CHECK(tty_os.str() ==
          "\r\033[K[   0.0s] self_service__glm 09 models"
          "\r\033[K[   0.0s] done self_service__glm -> \033[32mready\033[0m (gate passed)\n");
}

TEST_CASE("progress: lines pass through the run's scrubbing", "[progress]") {
    FakeClock clock;
    std::ostringstream os;
    ProgressPrinter p(os, {true, false, false}, clock.fn());
    p.set_scrub([](std::string_view t) {
        std::string s(t);
        if (auto at = s.find("hunter2secret"); at != std::string::npos) s.replace(at, 13, "[REDACTED]");
        return s;
    });
    p.cell_started(cell("hunter2secret__self_service__x"));
    CHECK(os.str() == "[   0.0s] start [REDACTED]__self_service__x\n");
}
