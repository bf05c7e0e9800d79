#pragma once
// The data report.html is rendered from (templates/report.html.mustache): the run's header, the
// matrix grid (host x mode x provider), and one panel per cell with its explanation, the
// differential evidence (through the host vs upstream direct), the decisive fields quoted from
// its artifacts, its step waterfall and its artifacts shown inline. All markup stays in the
// template; this builds JSON only.
//
// Artifacts are read from `bundle_dir` (the files the run already wrote and scrubbed), each cut
// at k_excerpt_cap_bytes; nothing is read from the environment. An empty bundle_dir renders the
// panels without artifacts (a summary held in memory). Never fails: what cannot be read is said.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "harness/evidence/run_summary.hpp"
#include "harness/evidence/timestamp.hpp"
#include "util/json.hpp"

namespace crm::harness::evidence {

struct ReportContext {
    std::filesystem::path bundle_dir;
    // When the page is written: the evidence age it states is rendered_at - ended_at ("0 s at the
    // time of writing" for a fresh run). nullopt: no age is stated.
    std::optional<TimePoint> rendered_at;
};

// "0 s", "42 s", "5 min", "3 h 12 min", "2 d 4 h".
[[nodiscard]] std::string format_age(std::chrono::seconds age);

// The CSS word of the gate decision: pass (passed), not-run (interrupted), fail (anything else).
[[nodiscard]] std::string gate_css(const RunSummary& s);

// The panel of one cell (see the header comment); `cell_dir` may be empty.
[[nodiscard]] util::json::object cell_panel_view(const CellSummary& c, const std::filesystem::path& cell_dir);

// The whole page's data: summary_view's header fields plus gate_css, evidence_age, hosts (the
// grids) and panels.
[[nodiscard]] util::json::object report_view(const RunSummary& s, std::string_view status, const ReportContext& ctx);

}  // namespace crm::harness::evidence
