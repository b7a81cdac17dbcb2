// Grades the staff solution, the starter and six sample submissions with one seed through the
// CLI of a checkout, and writes each JSON report with its timings removed: two checkouts graded
// alike give identical folders (`diff -r`), which shows that a change kept grading as it was.
//
//   npx tsx scripts/gradeSnapshot.ts --out /tmp/after [--repo ../other-checkout] [--seed 7]
//
// The submissions always come from this checkout, so both sides grade the very same files.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const here = resolve(import.meta.dirname, "..");
const SAMPLES = [
  "mistake-3-linear-transposed",
  "mistake-4-exponential",
  "mistake-5-einsum-diagonal",
  "correct-loops",
  "correct-toposort",
  "broken-syntax-einsum",
];

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    repo: { type: "string", default: here },
    seed: { type: "string", default: "7" },
  },
});
if (!values.out) {
  console.error("usage: npx tsx scripts/gradeSnapshot.ts --out DIR [--repo CHECKOUT] [--seed N]");
  process.exit(2);
}
const repo = resolve(values.repo ?? here);
const out = resolve(values.out);

/** The staff solution's modules, without its tests. */
function copySolution(to: string): void {
  const from = join(here, "reference/solution");
  for (const name of readdirSync(from)) {
    if (name.endsWith(".ts") && !name.endsWith(".test.ts"))
      cpSync(join(from, name), join(to, name));
  }
}

/** A sample laid over its base, as selftest lays it (fixtures/submissions/README.md). */
function materialize(sample: string, into: string): void {
  const folder = join(here, "fixtures/submissions", sample);
  const expected = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8"));
  const src = join(into, "src");
  mkdirSync(src, { recursive: true });
  if (expected.base === "solution") copySolution(src);
  else if (expected.base === "starter")
    cpSync(join(here, "fixtures/starter/src"), src, { recursive: true });
  cpSync(join(folder, "src"), src, { recursive: true });
}

function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "durationMs")
        .map(([key, v]) => [key, withoutTimings(v)]),
    );
  }
  return value;
}

const work = mkdtempSync(join(tmpdir(), "gradmark-snapshot-"));
try {
  const submissions: [string, string][] = [["starter", join(here, "fixtures/starter")]];
  const solution = join(work, "solution");
  mkdirSync(join(solution, "src"), { recursive: true });
  copySolution(join(solution, "src"));
  submissions.unshift(["solution", solution]);
  for (const sample of SAMPLES) {
    materialize(sample, join(work, sample));
    submissions.push([sample, join(work, sample)]);
  }
  mkdirSync(out, { recursive: true });
  for (const [name, dir] of submissions) {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "grader/cli/main.ts",
        "grade",
        dir,
        "--seed",
        values.seed ?? "7",
        "--format",
        "json",
      ],
      { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    const report = JSON.stringify(withoutTimings(JSON.parse(run.stdout)), null, 2);
    writeFileSync(join(out, `${name}.json`), `${report}\n`);
    writeFileSync(join(out, `${name}.exit`), `${run.status}\n`);
    console.log(`${name}: exit ${run.status}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
