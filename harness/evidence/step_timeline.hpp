#pragma once
// The waterfall of one cell's steps, as report.html draws it. A StepRecord carries how long a
// step took and how much of that was a network wait, not when it started: the layout rebuilds the
// start of each step from the pipeline's order. Host-lane steps follow one another; the upstream
// direct probes (steps named "upstream_*": 17 and 19) start together with the gateway smoke once
// step 08 ran and follow one another on a lane of their own (runner/cell_plan.hpp, starts_after).
// Pure: no IO, no clock.
#include <string>
#include <vector>

#include "harness/evidence/run_summary.hpp"

namespace crm::harness::evidence {

struct TimelineBar {
    std::string label;  // "09-models"
    std::string state;  // ran | skipped | failed | not_reached
    std::string note;
    bool upstream_lane = false;
    double start_ms = 0;
    double elapsed_ms = 0;
    double network_ms = 0;  // never more than elapsed_ms
    friend bool operator==(const TimelineBar&, const TimelineBar&) = default;
};

struct Timeline {
    std::vector<TimelineBar> bars;  // the steps in recorded order
    double total_ms = 0;            // the end of the last bar on either lane
};

// The step after which the upstream lane starts (its bars begin where this step's bar ends).
inline constexpr int k_upstream_lane_after = 8;

[[nodiscard]] bool on_upstream_lane(const StepRecord& step);
[[nodiscard]] Timeline layout_timeline(const std::vector<StepRecord>& steps);

}  // namespace crm::harness::evidence
