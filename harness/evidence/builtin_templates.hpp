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

| run | |
|---|---|
| run status | {{{status}}}{{#interrupted}} (interrupted){{/interrupted}} |
| gate | {{{gate_decision}}}: {{{gate_reason}}} |
| exit code | {{{exit_code}}} |
| host | {{{host_kind}}} {{{host_url}}} {{{host_version}}} |
| engine | {{{engine}}} |
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
| {{{title}}} | {{{pack}}} | `{{{cause}}}` | {{{verdict}}} | {{{gate_outcome}}} | {{{expected_cause}}} | {{#not_run}}not run{{/not_run}}{{^not_run}}[{{{folder}}}/21-summary.md]({{{folder}}}/21-summary.md){{/not_run}} |
{{/cells}}

## Explanations

{{#cells}}
### {{{title}}}: `{{{cause}}}` ({{{verdict}}})

{{{explanation}}}

{{/cells}}
{{#has_notes}}
## Gate notes

{{#notes}}
- {{{text}}}
{{/notes}}
{{/has_notes}}
)crm_tpl";

inline constexpr std::string_view k_tpl_cell_summary_md = R"crm_tpl(# {{{title}}}: `{{{cause}}}`

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
- [{{{folder}}}/{{{name}}}]({{{name}}}){{^present}} (not written){{/present}}
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
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crm-accept: {{scenario_name}}{{#has_label}} ({{label}}){{/has_label}} &ndash; {{gate_decision}}</title>
<style>
{{> style}}
</style>
</head>
<body>
<h1>crm-accept: {{scenario_name}}{{#has_label}} ({{label}}){{/has_label}}</h1>
<div class="gate {{gate_css}}" id="gate" role="status">
<span class="word">{{gate_word}}</span>
<span>{{gate_reason}}</span>
<span>exit code <strong>{{exit_code}}</strong></span>
</div>
{{#incomplete}}
<div class="banner"><strong>Incomplete bundle.</strong> The run did not finish; nothing here may be read as a pass.</div>
{{/incomplete}}
<dl class="meta">
<dt>host</dt><dd>{{host_kind}} {{host_url}}{{#has_host_version}} &middot; version {{host_version}}{{/has_host_version}}</dd>
<dt>engine</dt><dd>{{engine}}</dd>
<dt>scenario</dt><dd><code>{{scenario_path}}</code> &middot; sha256 <code>{{scenario_sha256}}</code></dd>
<dt>tool</dt><dd>crm-accept {{tool_version}} (git {{git_sha}})</dd>
<dt>run</dt><dd>{{started_at}} &rarr; {{ended_at}} ({{timezone}}){{#interrupted}} &middot; interrupted{{/interrupted}}</dd>
{{#has_age}}<dt>evidence age</dt><dd>{{evidence_age}} after the run ended, at the time of writing (this page does not update)</dd>{{/has_age}}
{{#has_clock_override}}<dt>clock</dt><dd>stamped under CRM_ACCEPT_NOW={{clock_override}}</dd>{{/has_clock_override}}
</dl>

<h2>Matrix</h2>
<ul class="legend" aria-label="legend">
<li><span class="chip pass"></span>pass</li>
<li><span class="chip pass-noted"></span>pass, with a note</li>
<li><span class="chip fail"></span>fail: the product failed</li>
<li><span class="chip blocked"></span>blocked: the environment (upstream key, quota) stopped the test</li>
<li><span class="chip inconclusive"></span>inconclusive</li>
<li><span class="chip error"></span>error: the harness could not test</li>
<li><span class="chip not-run"></span>not run / interrupted</li>
<li><span class="chip expected-look"></span><span class="badge expected">expected</span> a planted or baselined failure the gate accepts</li>
</ul>
<p class="hint no-print">Select a cell (click, or Tab then Enter) to see why: the explanation, host vs upstream evidence, the step timeline and the artifacts.</p>
{{#hosts}}
{{#named}}<h3>host {{name}}</h3>{{/named}}
<div class="scroll">
<table class="matrix"{{#named}} data-host="{{name}}"{{/named}}>
<thead><tr><th scope="col">mode \ provider</th>{{#providers}}<th scope="col">{{name}}</th>{{/providers}}</tr></thead>
<tbody>
{{#rows}}
<tr><th scope="row">{{mode}}</th>{{#cells}}{{#present}}<td class="cell {{css}}{{#is_expected}} expected{{/is_expected}}" data-cell="{{id}}"><button type="button" class="cell-btn" aria-controls="{{id}}" aria-expanded="false" aria-label="{{title}}: {{cause}}, {{verdict}}, gate {{gate_outcome}}{{#is_expected}} ({{expected}}){{/is_expected}}"><span class="cause">{{cause}}</span><span class="verdict">{{verdict}}{{#is_expected}} <span class="badge expected">{{expected}}</span>{{/is_expected}}</span><span class="gate-line">gate: {{gate_outcome}}</span></button></td>{{/present}}{{^present}}<td class="cell absent">&ndash;</td>{{/present}}{{/cells}}</tr>
{{/rows}}
</tbody>
</table>
</div>
{{/hosts}}
<p>{{#counts}}<span class="badge {{css}}">{{verdict}}: {{count}}</span> {{/counts}}</p>
{{#has_notes}}
<h2>Gate notes</h2>
<ul>
{{#notes}}
<li>{{text}}</li>
{{/notes}}
</ul>
{{/has_notes}}

<h2>Cells</h2>
<p class="hint no-print">Choose a cell in the matrix above: its panel opens here.</p>
{{#panels}}
<section class="panel" id="{{id}}" aria-label="{{title}}">
<header class="{{css}}{{#is_expected}} expected{{/is_expected}}">
<h3>{{title}}</h3>
<span class="cause mono"><strong>{{cause}}</strong></span>
<span>{{verdict}}</span>
<span>gate: {{gate_outcome}}</span>
{{#is_expected}}<span class="badge expected">{{expected}}</span>{{/is_expected}}
<button type="button" class="close no-print" data-close="{{id}}">Close</button>
</header>
<p class="explanation">{{explanation}}</p>
<table class="facts">
{{#has_gate_reason}}<tr><td>gate</td><td>{{gate_outcome}}: {{gate_reason}}</td></tr>{{/has_gate_reason}}
{{#has_expected_cause}}<tr><td>expected cause</td><td><code>{{expected_cause}}</code></td></tr>{{/has_expected_cause}}
{{#has_rule}}<tr><td>rule</td><td><code>{{rule_id}}</code></td></tr>{{/has_rule}}
<tr><td>pack</td><td>{{pack}}</td></tr>
<tr><td>elapsed</td><td>{{elapsed}}</td></tr>
<tr><td>folder</td><td><code>{{folder}}/</code></td></tr>
</table>
{{#has_notes}}
<h4>Notes (do not block)</h4>
<ul>{{#notes}}<li>{{text}}</li>{{/notes}}</ul>
{{/has_notes}}
{{#differential.has}}
<h4>Through the host vs upstream direct</h4>
{{#differential.pairs}}
<div class="scroll">
<table class="diff" data-pair="{{title}}">
<thead><tr><th scope="col">{{title}}</th><th scope="col">through the host<br><code>{{host_artifact}}</code></th><th scope="col">upstream direct<br><code>{{upstream_artifact}}</code></th></tr></thead>
<tbody>
{{#host_missing}}<tr><td>artifact</td><td class="missing">not written</td><td></td></tr>{{/host_missing}}
{{#upstream_missing}}<tr><td>artifact</td><td></td><td class="missing">not written</td></tr>{{/upstream_missing}}
{{#rows}}<tr class="{{#differs}}differs{{/differs}}"><td>{{what}}</td><td class="v">{{host}}</td><td class="v">{{upstream}}</td></tr>{{/rows}}
</tbody>
</table>
</div>
{{/differential.pairs}}
{{/differential.has}}
{{#decisive.has}}
<details class="decisive" open>
<summary><h4>Decisive fields, in reading order</h4> <span class="hint">(a bar on the left: an artifact the classifier named)</span></summary>
<div class="scroll">
<table class="decisive">
<thead><tr><th scope="col">artifact</th><th scope="col">field</th><th scope="col">value</th></tr></thead>
<tbody>
{{#decisive.rows}}<tr{{#proving}} class="proving"{{/proving}}><td><code>{{artifact}}</code></td><td>{{label}}</td><td class="v">{{value}}</td></tr>
{{/decisive.rows}}
</tbody>
</table>
</div>
</details>
{{/decisive.has}}
{{#timeline.has}}
<h4>Steps ({{timeline.total}})</h4>
<ul class="tl-legend">
<li><span class="chip" style="background:var(--net)"></span>network wait (host)</li>
<li><span class="chip" style="background:var(--local)"></span>local work (host lane)</li>
<li><span class="chip" style="background:var(--up-net)"></span>network wait (upstream lane, runs alongside)</li>
<li><span class="chip" style="background:var(--up-local)"></span>local work (upstream lane)</li>
</ul>
<svg class="timeline" viewBox="0 0 {{timeline.width}} {{timeline.height}}" role="img" aria-label="step timeline of {{title}}">
{{#timeline.ticks}}<line class="tick" x1="{{x}}" x2="{{x}}" y1="{{y1}}" y2="{{y2}}"></line><text x="{{x}}" y="{{text_y}}" text-anchor="middle">{{text}}</text>{{/timeline.ticks}}
{{#timeline.bars}}<g class="step state-{{state}}{{#upstream}} upstream{{/upstream}}" data-step="{{label}}"><title>{{tip}}</title><text x="0" y="{{text_y}}" class="state-{{state}}">{{label}}</text>{{#drawn}}<rect class="local" x="{{x}}" y="{{bar_y}}" width="{{w}}" height="{{bar_h}}"></rect><rect class="net" x="{{x}}" y="{{bar_y}}" width="{{net_w}}" height="{{bar_h}}"></rect>{{/drawn}}<text x="{{ms_x}}" y="{{text_y}}" class="state-{{state}}">{{ms}}</text></g>
{{/timeline.bars}}
</svg>
{{/timeline.has}}
{{#artifacts.has}}
<h4>Artifacts</h4>
<ul class="artifacts">
{{#artifacts.list}}
<li data-artifact="{{name}}">{{#has_text}}<details><summary><code>{{name}}</code> <span class="hint">{{size}}</span>{{#proving}} <span class="badge">proving</span>{{/proving}}{{#has_note}} <span class="hint">({{note}})</span>{{/has_note}}</summary><pre class="{{kind}}">{{text}}</pre></details>{{/has_text}}{{^has_text}}<code>{{name}}</code>{{#proving}} <span class="badge">proving</span>{{/proving}} <span class="missing">{{note}}</span>{{/has_text}}</li>
{{/artifacts.list}}
</ul>
{{/artifacts.has}}
{{#not_run}}<p class="missing">This cell never started: the run was interrupted first. It has no folder and no artifacts.</p>{{/not_run}}
</section>
{{/panels}}

<script>
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function buttonsFor(id) { return document.querySelectorAll('.cell-btn[aria-controls="' + id + '"]'); }
  function close(id) {
    var panel = document.getElementById(id);
    if (panel) panel.classList.remove("open");
    buttonsFor(id).forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
  }
  function open(id, scroll) {
    var panel = document.getElementById(id);
    if (!panel) return;
    document.querySelectorAll(".panel.open").forEach(function (p) { if (p.id !== id) close(p.id); });
    panel.classList.add("open");
    buttonsFor(id).forEach(function (b) { b.setAttribute("aria-expanded", "true"); });
    if (history.replaceState) history.replaceState(null, "", "#" + id);
    if (scroll) panel.scrollIntoView({ block: "start" });
  }
  document.querySelectorAll(".cell-btn").forEach(function (b) {
    b.addEventListener("click", function () {
      var id = b.getAttribute("aria-controls");
      if (b.getAttribute("aria-expanded") === "true") { close(id); } else { open(id, true); }
    });
  });
  document.querySelectorAll("button.close").forEach(function (b) {
    b.addEventListener("click", function () {
      var id = b.getAttribute("data-close");
      close(id);
      var cell = document.querySelector('.cell-btn[aria-controls="' + id + '"]');
      if (cell) cell.focus();
    });
  });
  if (location.hash.length > 1 && document.getElementById(location.hash.slice(1))) open(location.hash.slice(1), true);
})();
</script>
</body>
</html>
)crm_tpl";

inline constexpr std::string_view k_tpl_style_css =
    R"crm_tpl(/* crm-accept page style: shared by the HTML pages of a bundle (report.html includes it as the
   partial "style"). No web fonts, no remote resources. Verdict colours are one set:
   pass green, pass-noted pale green, fail red, blocked amber, inconclusive blue-grey,
   error violet, not run / interrupted grey; an expected (planted or baselined) failure is
   pale with a dashed border. */
:root { --ink: #1b1b1b; --muted: #5c5c5c; --line: #c9c9c9; --bg-soft: #f5f5f5;
  --pass: #cdeed3; --pass-edge: #2e7d32; --pass-noted: #e4f3c4; --fail: #f7c6c6; --fail-edge: #b00020;
  --blocked: #fbe0b0; --blocked-edge: #a05a00; --inconclusive: #d9e1f0; --inconclusive-edge: #3f5a8a;
  --error: #e3d0f0; --error-edge: #6a1b9a; --not-run: #e4e4e4; --not-run-edge: #8a8a8a;
  --net: #37627f; --local: #9fc1d8; --up-net: #7a4f9a; --up-local: #cdb5e0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  margin: 0 auto; padding: 1.2em 1.5em 3em; max-width: 1200px; color: var(--ink); line-height: 1.4; }
h1 { font-size: 1.5em; margin: .2em 0 .5em; }
h2 { font-size: 1.2em; margin: 1.4em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1em 0 .4em; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
a { color: #0b57a4; text-decoration: underline; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .4em .6em; vertical-align: top; text-align: left; }
th { background: #eeeeee; }
.scroll { overflow-x: auto; max-width: 100%; }

/* Gate banner */
.gate { border: 2px solid; border-radius: 6px; padding: .7em 1em; margin: .5em 0 1em; display: flex;
  flex-wrap: wrap; gap: .4em 1.2em; align-items: baseline; }
.gate .word { font-size: 1.5em; font-weight: 700; letter-spacing: .04em; }
.gate.pass { background: var(--pass); border-color: var(--pass-edge); }
.gate.fail { background: var(--fail); border-color: var(--fail-edge); }
.gate.not-run { background: var(--not-run); border-color: var(--not-run-edge); }
.banner { padding: .7em 1em; border: 2px solid var(--fail-edge); background: #fde7ea; margin: 1em 0; border-radius: 6px; }

/* Provenance */
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1em; margin: 0 0 1em; }
dl.meta dt { font-weight: 600; color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }

/* Legend and verdict chips */
.legend { display: flex; flex-wrap: wrap; gap: .4em .6em; padding: 0; margin: .4em 0 1em; list-style: none; font-size: .9em; }
.legend li { display: flex; align-items: center; gap: .35em; }
.chip { display: inline-block; min-width: 1.3em; height: 1.1em; border: 1px solid var(--line); border-radius: 3px; }
.badge { display: inline-block; padding: .05em .45em; border-radius: 9px; font-size: .8em; border: 1px solid var(--line);
  background: #fff; white-space: nowrap; }
.badge.expected { border-style: dashed; border-color: var(--pass-edge); color: var(--pass-edge); }

.pass { background: var(--pass); }
.pass-noted { background: var(--pass-noted); }
.fail { background: var(--fail); }
.blocked { background: var(--blocked); }
.inconclusive { background: var(--inconclusive); }
.error { background: var(--error); }
.not-run, .interrupted { background: var(--not-run); color: #555; }
.interrupted { background-image: repeating-linear-gradient(45deg, transparent 0 6px, rgba(0,0,0,.06) 6px 12px); }
.expected-look { background: #fafafa; border: 1px dashed var(--pass-edge); border-left: 6px solid var(--fail-edge); }
.absent { background: var(--bg-soft); color: #888; }

/* Matrix grid */
table.matrix td.cell { padding: 0; min-width: 11em; }
table.matrix td.cell.expected { background: #fafafa; }
.cell-btn { all: unset; box-sizing: border-box; display: block; width: 100%; padding: .5em .6em; cursor: pointer; }
.cell-btn:hover { box-shadow: inset 0 0 0 2px rgba(0,0,0,.35); }
.cell-btn:focus-visible { outline: 3px solid #0b57a4; outline-offset: -3px; }
.cell-btn[aria-expanded="true"] { box-shadow: inset 0 0 0 3px var(--ink); }
td.cell.expected .cell-btn { border: 1px dashed var(--pass-edge); border-left: 6px solid var(--not-run-edge); }
td.cell.expected.fail .cell-btn { border-left-color: var(--fail-edge); }
td.cell.expected.blocked .cell-btn { border-left-color: var(--blocked-edge); }
td.cell.expected.inconclusive .cell-btn { border-left-color: var(--inconclusive-edge); }
td.cell.expected.error .cell-btn { border-left-color: var(--error-edge); }
.cell .cause { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; font-weight: 600;
  overflow-wrap: anywhere; }
.cell .verdict { display: block; font-size: .9em; }
.cell .gate-line { display: block; font-size: .8em; color: var(--muted); }
.hint { color: var(--muted); font-size: .9em; }

/* Cell panels */
.panel { border: 1px solid var(--line); border-radius: 6px; margin: 1em 0; padding: 0 1em 1em; scroll-margin-top: 1em; }
.panel > header { display: flex; flex-wrap: wrap; gap: .4em .8em; align-items: baseline; margin: 0 -1em .8em; padding: .6em 1em;
  border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
.panel > header h3 { margin: 0; }
.panel > header.expected { background: #fafafa; border-bottom: 1px dashed var(--pass-edge); }
.panel .close { margin-left: auto; }
.js .panel:not(.open) { display: none; }
.explanation { font-size: 1.02em; max-width: 75em; }
table.facts { max-width: 100%; margin-bottom: .8em; }
table.facts td:last-child { overflow-wrap: anywhere; }
table.facts td:first-child { color: var(--muted); font-weight: 600; white-space: nowrap; }
table.diff { margin-bottom: .8em; }
table.diff td, table.diff th { font-size: .92em; }
table.diff td.v { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; overflow-wrap: anywhere; max-width: 30em; }
table.diff tr.differs td.v { background: #fff3c4; font-weight: 600; }
details.decisive > summary { cursor: pointer; }
details.decisive > summary h4 { display: inline; }
table.decisive td { font-size: .9em; }
table.decisive td.v { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; overflow-wrap: anywhere; max-width: 36em; }
table.decisive tr.proving td:first-child { border-left: 4px solid var(--ink); }
.missing { color: var(--muted); font-style: italic; }

/* Step waterfall */
svg.timeline { width: 100%; max-width: 760px; height: auto; display: block; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
svg.timeline text { font-size: 11px; fill: var(--ink); }
svg.timeline text.state-skipped, svg.timeline text.state-not_reached { fill: #888; }
svg.timeline line.tick { stroke: #ddd; stroke-width: 1; }
svg.timeline rect.local { fill: var(--local); }
svg.timeline rect.net { fill: var(--net); }
svg.timeline g.upstream rect.local { fill: var(--up-local); }
svg.timeline g.upstream rect.net { fill: var(--up-net); }
svg.timeline g.state-failed rect { stroke: var(--fail-edge); stroke-width: 1.5; }
.tl-legend { display: flex; flex-wrap: wrap; gap: .3em 1em; font-size: .85em; color: var(--muted); padding: 0; list-style: none; }
.tl-legend .chip { height: .9em; }

/* Artifacts */
ul.artifacts { list-style: none; padding: 0; margin: 0; }
ul.artifacts li { border-top: 1px solid #eee; padding: .25em 0; }
ul.artifacts summary { cursor: pointer; }
ul.artifacts pre { background: var(--bg-soft); border: 1px solid #e2e2e2; padding: .6em; max-height: 28em; overflow: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: .4em 0; }

@media (max-width: 640px) {
  body { padding: .8em .7em 2em; }
  h1 { font-size: 1.25em; }
  dl.meta { grid-template-columns: 1fr; }
  dl.meta dt { margin-top: .3em; }
  table.matrix td.cell { min-width: 8.5em; }
  th, td { padding: .3em .4em; }
}

@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .js .panel:not(.open), .panel { display: block !important; break-inside: auto; }
  .panel { page-break-before: auto; }
  .close, .hint, .no-print { display: none !important; }
  .cell-btn { cursor: default; }
  ul.artifacts pre { max-height: none; overflow: visible; }
  a { color: inherit; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)crm_tpl";

inline constexpr std::string_view k_tpl_board_md = R"crm_tpl(# crm-accept board

Evidence root `{{{root}}}`, as of {{{generated_at}}}: {{{bundles}}} bundles, {{{trusted_bundles}}} trusted.
Only trusted bundles prove anything; a row older than its max age is **stale** and is not today's truth.

| host | mode | provider | verdict | cause | proven at | age / max | bundle | last ready | flags |
|---|---|---|---|---|---|---|---|---|---|
{{#rows}}
| {{{host}}} | {{{mode}}} | {{{provider}}} | {{{verdict_text}}} | {{#cause}}`{{{cause}}}`{{/cause}} | {{{proven_at}}} | {{{age}}} / {{{max_age}}} | {{{bundle}}} | {{{last_ready_at}}} | {{#stale}}**stale** {{/stale}}{{{flags_text}}} |
{{/rows}}
{{^rows}}
| (no bundle ran any cell) | | | | | | | | | |
{{/rows}}
{{#has_notes}}

## Notes

{{#rows}}
{{#superseded_note}}
- {{{host}}} {{{mode}}} {{{provider}}}: newer evidence that proves nothing: {{{superseded_note}}}
{{/superseded_note}}
{{/rows}}
{{/has_notes}}

## Untrusted bundles

These prove nothing and never count on the board.

{{#untrusted}}
- `{{{name}}}` {{{trust}}}{{#reason}}: {{{reason}}}{{/reason}}
{{/untrusted}}
{{^untrusted}}
- none
{{/untrusted}}
)crm_tpl";

inline constexpr std::string_view k_tpl_board_html = R"crm_tpl(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crm-accept board</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
{{> style}}
/* The board's own marks; verdict colours, tables and type come from the shared stylesheet. */
.unproven { background: var(--not-run); color: #555; }
.flag { display: inline-block; padding: 0 .4em; margin: 0 .2em .2em 0; border-radius: .3em; background: #eee; font-size: .85em; }
.flag.stale { background: #b00020; color: #fff; }
.note { font-size: .85em; color: var(--muted); }
</style>
</head>
<body>
<h1>crm-accept board</h1>
<p>Evidence root <code>{{root}}</code>, as of {{generated_at}}: {{bundles}} bundles, {{trusted_bundles}} trusted.
Only trusted bundles prove anything; a row older than its max age is <strong>stale</strong> and is not today's truth.</p>
<div class="scroll">
<table>
<tr><th>host</th><th>mode</th><th>provider</th><th>verdict</th><th>cause</th><th>proven at</th><th>age / max</th><th>bundle</th><th>last ready</th><th>flags</th></tr>
{{#rows}}
<tr>
<td>{{host}}</td><td>{{mode}}</td><td>{{provider}}</td>
<td class="{{css}}">{{verdict_text}}</td>
<td class="mono">{{cause}}</td>
<td>{{proven_at}}</td><td>{{age}} / {{max_age}}</td>
<td class="mono">{{bundle}}</td><td>{{last_ready_at}}</td>
<td>{{#flags}}<span class="flag {{.}}">{{.}}</span>{{/flags}}{{#superseded_note}}<div class="note">{{superseded_note}}</div>{{/superseded_note}}</td>
</tr>
{{/rows}}
</table>
</div>
<h2>Untrusted bundles</h2>
<p>These prove nothing and never count on the board.</p>
<ul>
{{#untrusted}}
<li><code>{{name}}</code> {{trust}}{{#reason}}: {{reason}}{{/reason}}</li>
{{/untrusted}}
{{^untrusted}}
<li>none</li>
{{/untrusted}}
</ul>
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
