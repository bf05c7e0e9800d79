#include "harness/evidence/step_timeline.hpp"

#include <algorithm>

namespace crm::harness::evidence {

bool on_upstream_lane(const StepRecord& step) { return step.name.starts_with("upstream_"); }

Timeline layout_timeline(const std::vector<StepRecord>& steps) {
    Timeline t;
    double host_end = 0;
    double lane_start = 0;  // where the upstream lane begins: the end of step 08 on the host lane
    for (const auto& s : steps) {
        if (on_upstream_lane(s)) continue;
        host_end += std::max(0.0, s.elapsed_ms);
        if (s.number <= k_upstream_lane_after) lane_start = host_end;
    }
    host_end = 0;
    double upstream_end = lane_start;
    for (const auto& s : steps) {
        TimelineBar b;
        b.label = s.label();
        b.state = std::string(to_string(s.state));
        b.note = s.note;
        b.upstream_lane = on_upstream_lane(s);
        b.elapsed_ms = std::max(0.0, s.elapsed_ms);
        b.network_ms = std::clamp(s.network_ms, 0.0, b.elapsed_ms);
        double& lane_end = b.upstream_lane ? upstream_end : host_end;
        b.start_ms = lane_end;
        lane_end += b.elapsed_ms;
        t.bars.push_back(std::move(b));
    }
    t.total_ms = std::max(host_end, upstream_end);
    return t;
}

}  // namespace crm::harness::evidence
