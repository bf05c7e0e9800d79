#!/bin/sh
# Regenerates harness/evidence/builtin_templates.hpp from templates/*.mustache (byte for byte).
# Run from anywhere: sh harness/evidence/regen_builtin_templates.sh
set -e
cd "$(dirname "$0")/../.."
out=harness/evidence/builtin_templates.hpp
emit() {  # emit <constant> <file>
    printf '%s' "inline constexpr std::string_view $1 = R\"crm_tpl("
    cat "$2"
    printf '%s\n' ')crm_tpl";' ''
}
{
printf '%s\n' '#pragma once' \
'// GENERATED from templates/*.mustache: the report templates embedded in the binary, so' \
'// crm-accept renders from any working directory. Do not edit by hand; regenerate with' \
'//   sh harness/evidence/regen_builtin_templates.sh' \
'// The unit test "templates: the embedded copies are identical to templates/" fails when they' \
'// differ.' \
'#include <string_view>' '' 'namespace crm::harness::evidence {' ''
emit k_tpl_summary_md templates/summary.md.mustache
emit k_tpl_cell_summary_md templates/cell_summary.md.mustache
emit k_tpl_report_html templates/report.html.mustache
emit k_tpl_style_css templates/style.css.mustache
emit k_tpl_board_md templates/board.md.mustache
emit k_tpl_board_html templates/board.html.mustache
emit k_tpl_step_summary_md templates/step_summary.md.mustache
printf '%s\n' '}  // namespace crm::harness::evidence'
} > "$out.tmp"
mv "$out.tmp" "$out"
