/**
 * Benchmark 8 (issue 18): from a save that changes one problem's module to its verdict on the
 * screen of `gradmark check --watch`, against `vitest --watch` re-running a one-file test after
 * the same kind of save. Both watchers run side by side (spawned, stdout piped), the bench edits
 * their files in turn and reads their output.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchOptions, type Row, repoRoot } from "./common.js";
import {
  formatMs,
  formatRatio,
  formatSpreadMs,
  formatSpreadRatio,
  pairedRatios,
  type Summary,
  summarize,
} from "./stats.js";
import {
  gradmarkScreens,
  gradmarkVerdictShown,
  vitestRuns,
  vitestVerdictShown,
} from "./watch/parseOutput.js";
import { WatcherProcess } from "./watch/watcherProcess.js";

/** The goal: save -> verdict on screen, on this machine. */
export const GOAL_MS = 500;

export interface WatchVsVitestOptions {
  /** Timed saves on each side; they alternate a planted bug in (odd) and out (even). */
  edits: number;
  /** Untimed saves first on each side (a bug in and out), to warm both watchers up. */
  warmupEdits: number;
  /** Longest wait for a watcher's first run. */
  startTimeoutMs: number;
  /** Longest wait for one verdict after a save. */
  editTimeoutMs: number;
  /** Pause after a verdict before the next save (untimed; lets the file watchers settle). */
  settleMs: number;
}

export function watchVsVitestOptions(options: BenchOptions): WatchVsVitestOptions {
  return {
    edits: options.quick ? 3 : 10,
    warmupEdits: options.quick ? 0 : 2,
    startTimeoutMs: 60_000,
    editTimeoutMs: 30_000,
    settleMs: 300,
  };
}

export interface WatcherSide {
  name: string;
  command: string;
  /** Spawn to the end of the first run. */
  firstRunMs: number;
  /** Save -> verdict, per timed save, in order (odd saves plant the bug, even ones remove it). */
  samplesMs: number[];
  summary: Summary;
  /** The saves that planted the bug (verdict: failed) and those that removed it (passed). */
  toFailed: Summary;
  toPassed: Summary;
}

export interface WatchVsVitestResult {
  edits: number;
  warmupEdits: number;
  goalMs: number;
  gradmark: WatcherSide;
  vitest: WatcherSide;
  /** Per save: gradmark / vitest (the two saves of a pair are seconds apart). */
  ratio: Summary;
}

/** The problem, and its module, whose file the bench saves. */
const PROBLEM = "5";
const MODULE = "einsum.ts";
/** Appended to the module to plant a bug: every einsum backward throws. */
const PLANTED_BUG =
  'EinSum.prototype.backwardCall = function () {\n  throw new Error("bench: planted bug");\n};\n';

const VITEST_TEST = `import { expect, test } from "vitest";
import { value } from "./value.js";

test("value", () => {
  expect(value).toBe(1);
});
`;

/** What the save number `k` (1-based, counting warm-up saves) writes; odd ones plant a bug. */
function gradmarkModule(base: string, k: number): string {
  return `${base}\n// bench save ${k}\n${k % 2 === 1 ? PLANTED_BUG : ""}`;
}

function vitestModule(k: number): string {
  return `export const value = ${k % 2 === 1 ? 2 : 1}; // bench save ${k}\n`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runWatchVsVitest(
  options: WatchVsVitestOptions,
): Promise<WatchVsVitestResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  // vitest in CI mode would not watch.
  delete env.CI;
  delete env.GITHUB_ACTIONS;

  // The submission: the staff solution's modules in src/.
  const submission = mkdtempSync(join(tmpdir(), "gradmark-bench-watch-"));
  const src = join(submission, "src");
  mkdirSync(src);
  const solution = join(repoRoot, "reference", "solution");
  for (const file of readdirSync(solution)) {
    if (file.endsWith(".ts") && !file.endsWith(".test.ts"))
      copyFileSync(join(solution, file), join(src, file));
  }
  const moduleFile = join(src, MODULE);
  const base = readFileSync(moduleFile, "utf8");

  // The vitest project: one test importing a one-line module, its own empty config, outside the
  // repository (vitest itself comes from the repository's node_modules).
  const vitestDir = mkdtempSync(join(tmpdir(), "gradmark-bench-vitest-watch-"));
  writeFileSync(join(vitestDir, "package.json"), '{ "type": "module", "private": true }\n');
  writeFileSync(join(vitestDir, "vitest.config.mjs"), "export default {};\n");
  writeFileSync(join(vitestDir, "value.ts"), vitestModule(0));
  writeFileSync(join(vitestDir, "value.test.ts"), VITEST_TEST);
  const vitestEntry = join(repoRoot, "node_modules", "vitest", "vitest.mjs");

  const watchers: WatcherProcess[] = [];
  try {
    const gradmarkArgs = [
      "--import",
      "tsx",
      "grader/cli/main.ts",
      "check",
      "--watch",
      submission,
      "--seed",
      "1",
    ];
    const vitestArgs = [vitestEntry, "--watch", "--config", "vitest.config.mjs"];
    // Started one after the other so neither first run slows the other's.
    let started = performance.now();
    const gradmark = new WatcherProcess("gradmark check --watch", process.execPath, gradmarkArgs, {
      cwd: repoRoot,
      env,
    });
    watchers.push(gradmark);
    const gradmarkFirst =
      (await gradmark.waitFor(
        (out) => gradmarkScreens(out).length >= 1,
        options.startTimeoutMs,
        "first screen",
      )) - started;
    const firstScreen = gradmarkScreens(gradmark.output)[0]!;
    if (!firstScreen.problems.get(PROBLEM)?.passed)
      throw new Error(`the staff solution's problem ${PROBLEM} did not pass:\n${gradmark.tail()}`);

    started = performance.now();
    const vitest = new WatcherProcess("vitest --watch", process.execPath, vitestArgs, {
      cwd: vitestDir,
      env,
    });
    watchers.push(vitest);
    const vitestFirst =
      (await vitest.waitFor(
        (out) => vitestRuns(out).length >= 1,
        options.startTimeoutMs,
        "first run",
      )) - started;
    if (!vitestRuns(vitest.output)[0]!.passed)
      throw new Error(`the trivial vitest test did not pass:\n${vitest.tail()}`);

    const saveGradmark = async (k: number): Promise<number> => {
      const before = gradmarkScreens(gradmark.output).length;
      const content = gradmarkModule(base, k);
      const wrote = performance.now();
      writeFileSync(moduleFile, content);
      const shown = await gradmark.waitFor(
        (out) => gradmarkVerdictShown(out, before, PROBLEM, `src/${MODULE}`, k % 2 === 0),
        options.editTimeoutMs,
        `verdict of problem ${PROBLEM} after save ${k}`,
      );
      return shown - wrote;
    };
    const saveVitest = async (k: number): Promise<number> => {
      const before = vitestRuns(vitest.output).length;
      const content = vitestModule(k);
      const wrote = performance.now();
      writeFileSync(join(vitestDir, "value.ts"), content);
      const shown = await vitest.waitFor(
        (out) => vitestVerdictShown(out, before, k % 2 === 0),
        options.editTimeoutMs,
        `re-run after save ${k}`,
      );
      return shown - wrote;
    };

    const gradmarkMs: number[] = [];
    const vitestMs: number[] = [];
    const total = options.warmupEdits + options.edits;
    for (let k = 1; k <= total; k++) {
      const timed = k > options.warmupEdits;
      // Alternate which watcher gets the save first.
      const order = k % 2 === 0 ? (["g", "v"] as const) : (["v", "g"] as const);
      for (const side of order) {
        await sleep(options.settleMs);
        const ms = side === "g" ? await saveGradmark(k) : await saveVitest(k);
        if (timed) (side === "g" ? gradmarkMs : vitestMs).push(ms);
      }
    }

    const side = (
      name: string,
      command: string,
      firstRunMs: number,
      samplesMs: number[],
    ): WatcherSide => {
      // The timed saves start at warmupEdits + 1; odd save numbers plant the bug.
      const byParity = (odd: boolean) =>
        summarize(samplesMs.filter((_, i) => (options.warmupEdits + i + 1) % 2 === (odd ? 1 : 0)));
      return {
        name,
        command,
        firstRunMs,
        samplesMs,
        summary: summarize(samplesMs),
        toFailed: byParity(true),
        toPassed: byParity(false),
      };
    };
    return {
      edits: options.edits,
      warmupEdits: options.warmupEdits,
      goalMs: GOAL_MS,
      gradmark: side(
        "gradmark check --watch",
        `node --import tsx grader/cli/main.ts check --watch <tmp> --seed 1 (saves to src/${MODULE}, problem ${PROBLEM})`,
        gradmarkFirst,
        gradmarkMs,
      ),
      vitest: side(
        "vitest --watch",
        "node node_modules/vitest/vitest.mjs --watch (cwd <tmp>, one test importing a one-line module)",
        vitestFirst,
        vitestMs,
      ),
      ratio: pairedRatios(gradmarkMs, vitestMs),
    };
  } finally {
    await Promise.all(watchers.map((w) => w.stop()));
    rmSync(submission, { recursive: true, force: true });
    rmSync(vitestDir, { recursive: true, force: true });
  }
}

export function watchVsVitestRows(result: WatchVsVitestResult): Row[] {
  const bench = "8";
  const g = result.gradmark.summary;
  const v = result.vitest.summary;
  const met = (ok: boolean, shown: string) => (ok ? "met" : `NOT MET (${shown})`);
  const byDirection = (s: WatcherSide) =>
    `bug in ${formatMs(s.toFailed.median)}, out ${formatMs(s.toPassed.median)}`;
  return [
    {
      bench,
      figure: `gradmark check --watch: save of src/einsum.ts -> problem 5's verdict (${result.edits} saves; ${byDirection(result.gradmark)})`,
      value: formatMs(g.median),
      spread: formatSpreadMs(g),
      goal: `<= ${result.goalMs} ms`,
      verdict: met(g.median <= result.goalMs, formatMs(g.median)),
    },
    {
      bench,
      figure: `vitest --watch: save of the imported module -> re-run's Tests line (${byDirection(result.vitest)})`,
      value: formatMs(v.median),
      spread: formatSpreadMs(v),
      goal: "",
      verdict: "info",
    },
    {
      bench,
      figure: "save -> verdict, gradmark / vitest (paired saves)",
      value: formatRatio(result.ratio.median),
      spread: formatSpreadRatio(result.ratio),
      goal: "<= 1x (no slower than vitest)",
      verdict: met(result.ratio.median <= 1, formatRatio(result.ratio.median)),
    },
    {
      bench,
      figure: `first run after spawn: gradmark ${formatMs(result.gradmark.firstRunMs)}, vitest ${formatMs(result.vitest.firstRunMs)}`,
      value: "-",
      spread: "",
      goal: "",
      verdict: "info",
    },
  ];
}
