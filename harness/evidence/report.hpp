#pragma once
// Human projections of a run: summary.md, report.html (self-contained, no external resources)
// and each cell's 21-summary.md, rendered with Mustache templates. The templates ship in
// templates/*.mustache and are embedded in the binary (builtin_templates.hpp); a directory may
// override them.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "harness/evidence/report_view.hpp"
#include "harness/evidence/run_summary.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::evidence {

struct Templates {
    std::string summary_md;
    std::string cell_summary_md;
    std::string report_html;
    // The stylesheet report.html includes as the partial {{> style}} (templates/style.css.mustache):
    // one file so other HTML pages of the tool can include the same look.
    std::string style_css;
    std::string step_summary_md;  // the CI step summary (ci/step_summary.hpp)
};

[[nodiscard]] Templates builtin_templates();
// Reads summary.md.mustache, cell_summary.md.mustache and report.html.mustache from `dir`, and
// style.css.mustache and step_summary.md.mustache when they are there (the embedded ones otherwise:
// directories written before they existed keep working).
[[nodiscard]] util::Result<Templates> load_templates(const std::filesystem::path& dir);

// Renders `tpl` over JSON data (objects, arrays -> lists, strings, bools; numbers as text,
// null as false); `partials` are the templates {{> name}} includes. A template syntax error is
// invalid_input naming `name`.
[[nodiscard]] util::Result<std::string> render_template(std::string_view tpl, const util::json::value& data,
                                                        std::string_view name,
                                                        const std::map<std::string, std::string>& partials = {});

// The data the run templates see. `markdown` escapes '|' and folds newlines for table cells.
[[nodiscard]] util::json::object summary_view(const RunSummary& s, std::string_view status, bool markdown);
// `present` holds the artifact names that exist in the cell folder.
[[nodiscard]] util::json::object cell_view(const CellSummary& c, const std::set<std::string>& present);

[[nodiscard]] util::Result<std::string> render_summary_md(const RunSummary& s, std::string_view status,
                                                          const Templates& t);
// report.html over report_view(s, status, ctx), with the stylesheet as the partial "style".
[[nodiscard]] util::Result<std::string> render_report_html(const RunSummary& s, std::string_view status,
                                                           const Templates& t, const ReportContext& ctx = {});
[[nodiscard]] util::Result<std::string> render_cell_summary_md(const CellSummary& c,
                                                               const std::set<std::string>& present,
                                                               const Templates& t);

// Where a CI step summary sends its reader: the bundle lives in a CI artifact, so relative links
// into it would be dead there.
struct StepSummaryContext {
    std::string bundle_name;  // the bundle folder's name
    std::string artifact;     // the CI artifact that holds it
    std::string run_url;      // the CI run's page ("" when unknown)
};
// The step summary: the gate, one table row per cell (no links), the explanation of every cell
// that did not pass, the gate notes and where the bundle is.
[[nodiscard]] util::Result<std::string> render_step_summary_md(const RunSummary& s, std::string_view status,
                                                               const StepSummaryContext& where, const Templates& t);

// "mode × provider", or "host × mode × provider" on a matrix with several hosts.
[[nodiscard]] std::string cell_title(const CellSummary& c);

// The words reports show for a cell's cause and verdict: "not run" for a cell that never
// started, "interrupted" for one the interrupt stopped (its placeholder cause says nothing),
// the classifier's word otherwise.
[[nodiscard]] std::string cause_word(const CellSummary& c);
[[nodiscard]] std::string verdict_word(const CellSummary& c);

// A Markdown table cell's text: a '|' would end the cell and a newline the row, so '|' is escaped
// and line breaks become spaces.
[[nodiscard]] std::string md_cell(std::string_view s);

// The CSS class of a verdict in report.html: pass | pass-noted | fail | blocked | inconclusive |
// error, or not-run / interrupted for a cell the run did not finish.
[[nodiscard]] std::string verdict_css(const CellSummary& c);

}  // namespace crm::harness::evidence
