// Browser tier: report.html of real bundles, opened from file:// in Chromium.
//
// Runs the built crm-accept three times on the embedded stubs (the default scenario, a run
// interrupted by SIGINT while its first cell waits on a stalled upstream, and a two-host
// matrix), opens each bundle's report.html in headless Chromium (puppeteer-core driving the
// system browser, nothing downloaded) and checks what an operator sees: the gate, the grid and
// its causes, expected failures marked as expected, grey not-run cells, a click or Enter/Space
// opening the cell's panel with the host-vs-upstream fields and the step timeline, no console
// errors and no request leaving file:// or data:. Screenshots of each state go to --shots.
//
// Usage: node report_test.mjs --bin <crm-accept> --source <repo root> --shots <dir>
// Exit 0 pass, 1 fail, 77 skipped (no Chromium; CTest SKIP_RETURN_CODE).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const bin = arg("--bin") && path.resolve(arg("--bin"));
const source = path.resolve(arg("--source", path.resolve(here, "../..")));
const shots = arg("--shots", path.join(os.tmpdir(), "crm-browser-screenshots"));
const chromium = process.env.CRM_CHROMIUM || "/usr/bin/chromium";

if (!fs.existsSync(chromium)) {
  console.log(`skip: no Chromium at ${chromium} (scripts/bootstrap installs it; CRM_CHROMIUM overrides the path)`);
  process.exit(SKIP);
}
if (!bin || !fs.existsSync(bin)) {
  console.error(`report_test: --bin ${bin}: the crm-accept binary does not exist`);
  process.exit(1);
}
let puppeteer;
try {
  puppeteer = (await import("puppeteer-core")).default;
} catch (e) {
  console.error(`report_test: puppeteer-core is not installed: run 'npm ci --prefix tests/browser' (scripts/bootstrap does) (${e.message})`);
  process.exit(1);
}

let failures = 0;
function check(ok, what) {
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "crm-browser-"));
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

function onlyBundle(out) {
  const dirs = fs.readdirSync(out).filter((d) => fs.statSync(path.join(out, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`${out}: expected one bundle, found ${dirs.join(", ")}`);
  return path.join(out, dirs[0]);
}

function run(args, expectExit) {
  const r = spawnSync(bin, args, { cwd: source, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  check(r.status === expectExit, `crm-accept ${args.slice(0, 2).join(" ")} exits ${expectExit} (got ${r.status})`);
  if (r.status !== expectExit) console.log(r.stdout + r.stderr);
}

function writeScenario(name, body) {
  const p = path.join(work, `${name}.json`);
  fs.writeFileSync(p, JSON.stringify({ schema_version: 1, name, packs_dir: path.join(source, "packs"), ...body }));
  return p;
}

// Waits (bounded) for a file named `name` anywhere under `root`.
async function waitForFile(root, name, seconds) {
  for (let i = 0; i < seconds * 10; i++) {
    if (fs.existsSync(root)) {
      const found = fs.readdirSync(root, { recursive: true }).find((f) => path.basename(f) === name);
      if (found) return path.join(root, found);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

// A run whose only host's upstream stalls every stream: the first cell waits on it when SIGINT
// comes, the second (one job) has not started.
async function interruptedRun(out) {
  const scenario = writeScenario("stall", {
    host: { kind: "stub", profile: "keepalive_stall" },
    matrix: { modes: ["self_service", "subscription"], providers: [{ pack: "cn-core", provider: "deepseek" }] },
    timeouts: { idle_ms: 5000, total_ms: 30000 },
  });
  const proc = spawn(bin, ["run", scenario, "--jobs", "1", "--out", out], {
    cwd: source,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal)));
  // The upstream stalls from the account test (step 06) on: the cell is waiting when SIGINT comes.
  check((await waitForFile(out, "05-import.json", 60)) !== null, "the stalled run imported its provider");
  proc.kill("SIGINT");
  const code = await exited;
  check(code === 130, `the interrupted run exits 130 (got ${code})`);
}

const defaultOut = path.join(work, "default");
const stallOut = path.join(work, "stall");
const hostsOut = path.join(work, "hosts");
run(["run", "scenarios/default.json", "--out", defaultOut], 0);
await interruptedRun(stallOut);
run(
  [
    "run",
    writeScenario("two-hosts", {
      matrix: {
        hosts: [
          { name: "a", kind: "stub" },
          { name: "b", kind: "stub", profile: "upstream_quota_exhausted" },
        ],
        modes: ["self_service"],
        providers: [{ pack: "cn-core", provider: "deepseek" }],
      },
    }),
    "--out",
    hostsOut,
  ],
  2,
);

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--font-render-hinting=none"],
});

// Opens a report with every request outside file:// and data: refused and recorded.
async function openReport(bundle, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const problems = { console: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.console.push(m.text());
  });
  page.on("pageerror", (e) => problems.console.push(String(e)));
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("file:") || url.startsWith("data:")) {
      req.continue();
    } else {
      problems.requests.push(url);
      req.abort();
    }
  });
  await page.goto(pathToFileURL(path.join(bundle, "report.html")).href, { waitUntil: "load" });
  return { page, problems };
}

const visible = (page, sel) =>
  page.$eval(sel, (el) => getComputedStyle(el).display !== "none" && el.getBoundingClientRect().height > 0).catch(() => false);

async function grid(page) {
  return page.$$eval("td.cell[data-cell]", (tds) =>
    Object.fromEntries(
      tds.map((td) => [
        td.dataset.cell,
        {
          cause: td.querySelector(".cause")?.textContent,
          classes: td.className,
          expected: !!td.querySelector(".badge.expected"),
          color: getComputedStyle(td).backgroundColor,
        },
      ]),
    ),
  );
}

function noLeaks(problems, what) {
  check(problems.console.length === 0, `${what}: no console errors (${problems.console.join(" | ")})`);
  check(problems.requests.length === 0, `${what}: no request outside file:// and data: (${problems.requests.join(", ")})`);
}

try {
  // --- the default run: passes with two planted failures ---
  {
    const { page, problems } = await openReport(onlyBundle(defaultOut));
    const gate = await page.$eval("#gate", (el) => ({ text: el.textContent, cls: el.className }));
    check(/PASSED/.test(gate.text) && /exit code\s*0/.test(gate.text) && gate.cls.includes("pass"), "gate says PASSED, exit code 0, in green");
    const meta = await page.$eval("dl.meta", (el) => el.textContent);
    check(/sha256/.test(meta) && /stub/.test(meta) && /at the time of writing/.test(meta), "header names host, scenario sha256 and the evidence age");
    check((await page.$$("ul.legend li")).length >= 8, "a legend of verdicts");
    const cells = await grid(page);
    check(Object.keys(cells).length === 6, `six cells in the grid (${Object.keys(cells).length})`);
    check(cells["cell-self_service__kimi"]?.cause === "ready", "self_service x kimi is ready");
    check(cells["cell-self_service__deepseek"]?.cause === "host_compatibility_gap", "self_service x deepseek is host_compatibility_gap");
    check(cells["cell-subscription__minimax"]?.cause === "upstream_key_quota_issue", "subscription x minimax is upstream_key_quota_issue");
    check(cells["cell-self_service__deepseek"]?.expected && cells["cell-subscription__minimax"]?.expected, "planted failures are marked expected");
    check(!cells["cell-self_service__kimi"]?.expected, "a ready cell carries no expected mark");
    check(
      cells["cell-self_service__deepseek"]?.color !== (await page.$eval(".chip.fail", (el) => getComputedStyle(el).backgroundColor)),
      "an expected failure is not painted like a real failure",
    );
    check(!(await visible(page, "#cell-self_service__deepseek")), "panels are closed until a cell is chosen");
    await page.screenshot({ path: path.join(shots, "report-grid.png"), fullPage: true });

    await page.click('td[data-cell="cell-self_service__deepseek"] button');
    check(await visible(page, "#cell-self_service__deepseek"), "clicking a cell opens its panel");
    check(
      (await page.$eval('td[data-cell="cell-self_service__deepseek"] button', (b) => b.getAttribute("aria-expanded"))) === "true",
      "the cell's button says it is expanded",
    );
    const diff = await page.$$eval('#cell-self_service__deepseek table.diff[data-pair="chat"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent.trim())),
    );
    const status = diff.find((r) => r[0] === "chat HTTP status");
    check(status && status[1] !== status[2] && status[2] === "200", `chat HTTP status through the host vs upstream direct differ (${JSON.stringify(status)})`);
    const decisive = await page.$$eval("#cell-self_service__deepseek table.decisive tbody tr", (rows) => rows.length);
    check(decisive >= 5, `the decisive fields are quoted (${decisive} rows)`);
    const explanation = await page.$eval("#cell-self_service__deepseek .explanation", (el) => el.textContent);
    check(explanation.length > 40, "the panel shows the explanation in full");
    const steps = await page.$$eval("#cell-self_service__deepseek svg.timeline g.step", (gs) => gs.map((g) => g.dataset.step));
    check(steps.length >= 15 && steps[0].startsWith("00-") && steps.some((s) => s.startsWith("19-")), `the timeline has the steps 00-21 (${steps.length})`);
    check((await page.$$("#cell-self_service__deepseek svg.timeline rect.net")).length > 0, "network waits are drawn");
    const artifacts = await page.$$eval("#cell-self_service__deepseek ul.artifacts li", (lis) => lis.map((li) => li.dataset.artifact));
    check(artifacts.includes("10-chat.json") && artifacts.some((a) => a.endsWith(".headers.txt")), "the artifacts are listed, header dumps included");
    await page.click('#cell-self_service__deepseek li[data-artifact="10-chat.json"] summary');
    const pretty = await page.$eval('#cell-self_service__deepseek li[data-artifact="10-chat.json"] pre', (el) => el.textContent);
    check(pretty.includes('\n  "') && JSON.parse(pretty), "an artifact's JSON is shown pretty-printed");
    await page.screenshot({ path: path.join(shots, "report-panel.png"), fullPage: true });

    // Keyboard: focus a cell's button, Enter opens its panel, Space another.
    await page.focus('td[data-cell="cell-subscription__minimax"] button');
    await page.keyboard.press("Enter");
    check(await visible(page, "#cell-subscription__minimax"), "Enter on a focused cell opens its panel");
    check(!(await visible(page, "#cell-self_service__deepseek")), "opening one panel closes the other");
    await page.focus('td[data-cell="cell-subscription__kimi"] button');
    await page.keyboard.press("Space");
    check(await visible(page, "#cell-subscription__kimi"), "Space on a focused cell opens its panel");
    await page.focus('td[data-cell="cell-subscription__minimax"] button');
    await page.keyboard.press("Enter");
    const quota = await page.$$eval('#cell-subscription__minimax table.diff[data-pair="chat"] tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent.trim())),
    );
    const qstatus = quota.find((r) => r[0] === "chat HTTP status");
    check(qstatus && qstatus[2] !== "200", `the quota cell's upstream-direct chat is refused too (${JSON.stringify(qstatus)})`);
    await page.screenshot({ path: path.join(shots, "report-keyboard.png") });

    await page.setViewport({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `nothing wider than a phone screen outside scroll boxes (${overflow} px too wide)`);
    await page.screenshot({ path: path.join(shots, "report-phone.png"), fullPage: true });

    await page.setViewport({ width: 1280, height: 900 });
    await page.emulateMediaType("print");
    const shown = await page.$$eval(".panel", (ps) => ps.filter((p) => getComputedStyle(p).display !== "none").length);
    check(shown === 6, `every panel is expanded for print (${shown} of 6)`);
    check(!(await visible(page, "button.close")), "buttons meant for the screen are not printed");
    await page.screenshot({ path: path.join(shots, "report-print.png"), fullPage: true });
    await page.emulateMediaType("screen");
    noLeaks(problems, "default report");
    await page.close();
  }

  // --- an interrupted run: a started-but-interrupted cell and a never-started one, both grey ---
  {
    const { page, problems } = await openReport(onlyBundle(stallOut));
    const gate = await page.$eval("#gate", (el) => ({ text: el.textContent, cls: el.className }));
    check(/INTERRUPTED/.test(gate.text) && /exit code\s*130/.test(gate.text), `interrupted gate and exit 130 (${gate.text.replace(/\s+/g, " ").trim()})`);
    check((await page.$(".banner")) !== null, "the incomplete banner is shown");
    const cells = await grid(page);
    const never = cells["cell-subscription__deepseek"];
    check(never?.cause === "not run" && never.classes.includes("not-run"), `the cell that never started is grey 'not run' (${JSON.stringify(never)})`);
    const first = cells["cell-self_service__deepseek"];
    check(first && !/\berror\b/.test(first.classes) && !/\bfail\b/.test(first.classes), `the interrupted cell is not painted as a failure (${JSON.stringify(first)})`);
    check(never?.color === (await page.$eval(".chip.not-run", (el) => getComputedStyle(el).backgroundColor)), "not run is the legend's grey");
    await page.click('td[data-cell="cell-subscription__deepseek"] button');
    check(await visible(page, "#cell-subscription__deepseek"), "a not-run cell opens a panel too");
    await page.screenshot({ path: path.join(shots, "report-interrupted.png"), fullPage: true });
    noLeaks(problems, "interrupted report");
    await page.close();
  }

  // --- two hosts: one grid per host ---
  {
    const { page, problems } = await openReport(onlyBundle(hostsOut));
    const hosts = await page.$$eval("table.matrix", (ts) => ts.map((t) => t.dataset.host));
    check(JSON.stringify(hosts) === '["a","b"]', `one grid per host (${JSON.stringify(hosts)})`);
    const cells = await grid(page);
    check(cells["cell-a__self_service__deepseek"]?.cause === "ready", "host a's cell is ready");
    check(cells["cell-b__self_service__deepseek"]?.cause === "upstream_key_quota_issue", "host b's cell is upstream_key_quota_issue");
    check(/BLOCKED|FAILED/.test(await page.$eval("#gate", (el) => el.textContent)), "the gate does not pass");
    await page.click('td[data-cell="cell-b__self_service__deepseek"] button');
    const title = await page.$eval("#cell-b__self_service__deepseek h3", (el) => el.textContent);
    check(title.startsWith("b \u00d7 self_service"), `the panel names the host (${title})`);
    await page.screenshot({ path: path.join(shots, "report-multihost.png"), fullPage: true });
    noLeaks(problems, "two-host report");
    await page.close();
  }
} catch (e) {
  failures++;
  console.log(`FAIL ${e.stack || e}`);
} finally {
  await browser.close();
}

console.log(`screenshots: ${shots}`);
if (failures === 0) fs.rmSync(work, { recursive: true, force: true });
else console.log(`bundles kept for inspection: ${work}`);
console.log(failures === 0 ? "report browser test: all checks passed" : `report browser test: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
