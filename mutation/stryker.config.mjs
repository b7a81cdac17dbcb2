// @ts-check
/**
 * Stryker over one module of the staff solution, with the grader as the test command.
 *
 * `npm run mutation` (mutation/run.ts) runs this once per module and sets:
 *   GRADMARK_MUTATE_MODULE  the module to mutate, e.g. "autograd" (reference/solution/autograd.ts)
 *   GRADMARK_MUTATE_ONLY    the problems that module can affect, e.g. "4,5" (the grader's --only);
 *                           unset grades every problem.
 *   GRADMARK_MUTATE_LINES   optional: mutate only these lines of the module, e.g. "111" or
 *                           "169,181" or "73-109" (to see whether a new check kills a few
 *                           mutants without the whole module's run). The report then goes to
 *                           mutation/out/targeted/, so the full run's report stays the summary's.
 *   GRADMARK_MUTATE_CONCURRENCY  optional: Stryker's concurrency (default 2; 1 when the machine
 *                           is busy with other work).
 * Run by hand: GRADMARK_MUTATE_MODULE=training GRADMARK_MUTATE_ONLY=6 \
 *   npx stryker run mutation/stryker.config.mjs
 */
import { createRequire } from "node:module";

const module = process.env.GRADMARK_MUTATE_MODULE;
if (!module || !/^[a-z][a-zA-Z]*$/.test(module)) {
  throw new Error(
    "set GRADMARK_MUTATE_MODULE to a module of reference/solution (e.g. autograd), or run `npm run mutation`",
  );
}
const only = process.env.GRADMARK_MUTATE_ONLY;
if (only !== undefined && !/^[\w.,-]+$/.test(only)) {
  throw new Error(`GRADMARK_MUTATE_ONLY must be a comma-separated list of ids, got '${only}'`);
}

const lines = process.env.GRADMARK_MUTATE_LINES;
if (lines !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(lines)) {
  throw new Error(
    `GRADMARK_MUTATE_LINES must look like "111" or "169,181" or "73-109", got '${lines}'`,
  );
}
const concurrency = Number(process.env.GRADMARK_MUTATE_CONCURRENCY ?? 2);
if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
  throw new Error(`GRADMARK_MUTATE_CONCURRENCY must be a positive integer, got '${concurrency}'`);
}
const file = `reference/solution/${module}.ts`;
// Stryker's "file:from-to" form mutates only the mutants that lie within those lines.
const mutate = lines
  ? lines.split(",").map((range) => {
      const [from, to = from] = range.split("-");
      return `${file}:${from}-${to}`;
    })
  : [file];
const report = lines
  ? `mutation/out/targeted/${module}-lines-${lines.replaceAll(",", "_")}.json`
  : `mutation/out/${module}.json`;

// The grader's exit code decides (0 survived, anything else killed). Echoing it lets the summary
// tell a failed check (1) from an infrastructure error (2), which would be a false kill.
// tsx's CLI by absolute path: npx would add its own start-up to every run, and the sandbox may
// have no node_modules/.bin of its own (Stryker does not link a node_modules that is a symlink;
// module resolution still finds it in a parent folder).
const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const grade = [
  `${JSON.stringify(process.execPath)} ${JSON.stringify(tsx)} grader/cli/main.ts grade reference/solution`,
  only ? `--only ${only}` : "",
].join(" ");

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "command",
  commandRunner: { command: `${grade}; code=$?; echo "gradmark exit code $code"; exit $code` },
  // The command runner cannot tell which mutants a run covers: every mutant gets a full run.
  coverageAnalysis: "off",
  mutate,
  // Two cores shared with other work.
  concurrency,
  // A grading run is 1.5 to 2.5 s; a mutant that loops is stopped by the grader's own per-check
  // timeouts first (a failed check), this is only the outer fence.
  timeoutMS: 20000,
  timeoutFactor: 2,
  reporters: ["json", "clear-text", "progress-append-only"],
  jsonReporter: { fileName: report },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // Not needed to grade the solution; keeps every sandbox copy small.
  ignorePatterns: [
    "dist",
    "coverage",
    "bench/out",
    "mutation/out",
    ".gradmark",
    "fixtures/submissions",
  ],
};
