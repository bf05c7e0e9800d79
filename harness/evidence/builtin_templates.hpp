#pragma once
// GENERATED from templates/*.mustache: the report templates embedded in the binary, so
// crm-accept renders from any working directory. Do not edit by hand; regenerate with
//   sh harness/evidence/regen_builtin_templates.sh
// The unit test "templates: the embedded copies are identical to templates/" fails when they
// differ.
#include <string_view>

namespace crm::harness::evidence {

inline constexpr std::string_view k_tpl_summary_md =
    R"crm_tpl(# crm-accept run: {{{scenario_name}}}{{#has_label}} ({{{label}}}){{/has_label}}

| | |
|---|---|
| run status | {{{status}}}{{#interrupted}} (interrupted){{/interrupted}} |
| gate | {{{gate_decision}}}: {{{gate_reason}}} |
| exit code | {{{exit_code}}} |
| host | {{{host_kind}}} {{{host_url}}} {{{host_version}}} |
| started / ended | {{{started_at}}} / {{{ended_at}}} ({{{timezone}}}) |
| tool | crm-accept {{{tool_version}}} ({{{git_sha}}}) |
| scenario | `{{{scenario_path}}}` sha256 `{{{scenario_sha256}}}` |

{{#incomplete}}
> **This bundle is incomplete.** The run did not finish; nothing in it may be read as a pass.

{{/incomplete}}
## Verdicts

{{#counts}}
- {{{verdict}}}: {{{count}}}
{{/counts}}

## Cells

| cell | pack | cause | verdict | gate | expected | details |
|---|---|---|---|---|---|---|
{{#cells}}
| {{{mode}}} × {{{provider}}} | {{{pack}}} | `{{{cause}}}` | {{{verdict}}} | {{{gate_outcome}}} | {{{expected_cause}}} | {{#not_run}}not run{{/not_run}}{{^not_run}}[21-summary.md]({{{folder}}}/21-summary.md){{/not_run}} |
{{/cells}}

## Explanations

{{#cells}}
### {{{mode}}} × {{{provider}}}: `{{{cause}}}` ({{{verdict}}})

{{{explanation}}}

{{/cells}}
{{#has_notes}}
## Gate notes

{{#notes}}
- {{{text}}}
{{/notes}}
{{/has_notes}}
)crm_tpl";

inline constexpr std::string_view k_tpl_cell_summary_md = R"crm_tpl(# {{{mode}}} × {{{provider}}}: `{{{cause}}}`

- verdict: **{{{verdict}}}**{{#blocks_release}} (blocks release by default){{/blocks_release}}
- gate: {{{gate_outcome}}}{{#has_expected}} (expected `{{{expected_cause}}}`){{/has_expected}}
- pack: {{{pack}}}
- rule: `{{{rule_id}}}`
- elapsed: {{{elapsed_ms}}} ms

{{{explanation}}}
{{#has_notes}}

## Notes (do not block)

{{#notes}}
- {{{text}}}
{{/notes}}
{{/has_notes}}

## Evidence

{{#artifacts}}
- [{{{name}}}]({{{name}}}){{^present}} (not written){{/present}}
{{/artifacts}}

## Steps

| step | state | ms |
|---|---|---:|
{{#steps}}
| {{{name}}} | {{{state}}} | {{{elapsed_ms}}} |
{{/steps}}
)crm_tpl";

inline constexpr std::string_view k_tpl_report_html = R"crm_tpl(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crm-accept: {{scenario_name}}{{#has_label}} ({{label}}){{/has_label}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #1b1b1b; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: .45em .7em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.cell a { color: inherit; text-decoration: none; display: block; }
td.cell .cause { font-family: ui-monospace, monospace; font-size: .9em; }
td.cell .gate { font-size: .8em; opacity: .8; }
.pass { background: #d7f5dc; }
.pass-noted { background: #e9f7c8; }
.fail { background: #f9d0d0; }
.blocked { background: #fde8c4; }
.inconclusive { background: #dfe6f3; }
.error { background: #e6d5f2; }
.not-run { background: #e2e2e2; color: #666; }
.absent { background: #f4f4f4; color: #888; }
.banner { padding: .8em 1em; border: 2px solid #b00020; background: #fde; margin: 1em 0; }
.meta td:first-child { font-weight: 600; }
</style>
</head>
<body>
<h1>crm-accept: {{scenario_name}}{{#has_label}} ({{label}}){{/has_label}}</h1>
{{#incomplete}}
<div class="banner"><strong>Incomplete bundle.</strong> The run did not finish; nothing here may be read as a pass.</div>
{{/incomplete}}
<table class="meta">
<tr><td>gate</td><td>{{gate_decision}}: {{gate_reason}} (exit code {{exit_code}})</td></tr>
<tr><td>host</td><td>{{host_kind}} {{host_url}} {{host_version}}</td></tr>
<tr><td>time</td><td>{{started_at}} &rarr; {{ended_at}} ({{timezone}})</td></tr>
<tr><td>tool</td><td>crm-accept {{tool_version}} ({{git_sha}})</td></tr>
<tr><td>scenario</td><td>{{scenario_path}} sha256 {{scenario_sha256}}</td></tr>
</table>
<h2>Matrix</h2>
<table class="matrix">
<tr><th>mode \ provider</th>{{#providers}}<th>{{name}}</th>{{/providers}}</tr>
{{#rows}}
<tr><th>{{mode}}</th>{{#cells}}{{#present}}{{#not_run}}<td class="cell not-run" title="{{explanation}}"><span class="cause">not run</span><br><span class="gate">gate: not_run</span></td>{{/not_run}}{{^not_run}}<td class="cell {{css}}" title="{{explanation}}"><a href="{{link}}"><span class="cause">{{cause}}</span><br>{{verdict}}<br><span class="gate">gate: {{gate_outcome}}</span></a></td>{{/not_run}}{{/present}}{{^present}}<td class="cell absent">&ndash;</td>{{/present}}{{/cells}}</tr>
{{/rows}}
</table>
<h2>Verdicts</h2>
<ul>
{{#counts}}
<li class="{{css}}">{{verdict}}: {{count}}</li>
{{/counts}}
</ul>
{{#has_notes}}
<h2>Gate notes</h2>
<ul>
{{#notes}}
<li>{{text}}</li>
{{/notes}}
</ul>
{{/has_notes}}
</body>
</html>
)crm_tpl";

inline constexpr std::string_view k_tpl_step_summary_md =
    R"crm_tpl(## crm-accept: {{{scenario_name}}}{{#has_label}} ({{{label}}}){{/has_label}}: gate {{{gate_decision}}} (exit {{{exit_code}}})

{{{gate_reason}}}
{{#incomplete}}

> **This bundle is incomplete.** The run did not finish; nothing in it may be read as a pass.
{{/incomplete}}

{{#counts}}{{{verdict}}}: {{{count}}}. {{/counts}}Host: {{{host_kind}}} {{{host_url}}}. Started {{{started_at}}}.

| cell | cause | verdict | gate | expected |
|---|---|---|---|---|
{{#cells}}
| {{{folder}}} | `{{{cause}}}` | {{{verdict}}} | {{{gate_outcome}}} | {{{expected_cause}}} |
{{/cells}}
{{#has_failing}}

### Cells that did not pass

{{#cells}}
{{^gate_passes}}
- **{{{folder}}}**: `{{{cause}}}` ({{{gate_outcome}}}). {{{explanation}}}
{{/gate_passes}}
{{/cells}}
{{/has_failing}}
{{#has_notes}}

### Gate notes

{{#notes}}
- {{{text}}}
{{/notes}}
{{/has_notes}}

The evidence bundle `{{{bundle_name}}}` (per-cell summaries, artifacts, `report.html`, `junit.xml`) is in the artifact **{{{artifact}}}**{{#has_run_url}} of [this workflow run]({{{run_url}}}){{/has_run_url}}; check it with `crm-accept verify {{{bundle_name}}}` after downloading.

)crm_tpl";

}  // namespace crm::harness::evidence
