/**
 * Benchmark 1: `gradmark check` of the reference solution (the whole assignment) against the
 * start of a bare `vitest run` of one trivial test, both spawned, alternating, wall time.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BenchOptions,
  fileExists,
  type Row,
  repoRoot,
  type SpawnResult,
  spawnTimed,
} from "./common.js";
import {
  formatMs,
  formatRatio,
  formatSpreadMs,
  formatSpreadRatio,
  pairedRatios,
  type Summary,
  summarize,
} from "./stats.js";

export interface TimedCommand {
  name: string;
  command: string;
  samplesMs: number[];
  summary: Summary;
}

export interface CheckVsVitestResult {
  repetitions: number;
  warmupRound: boolean;
  vitest: TimedCommand;
  checkTsx: TimedCommand;
  /** null when dist/cli.js is missing (run `npm run build`). */
  checkDist: TimedCommand | null;
  /** Per repetition: check (tsx) / vitest, summarized. */
  ratioTsx: Summary;
  ratioDist: Summary | null;
}

const TRIVIAL_TEST = `import { expect, test } from "vitest";

test("x", () => {
  expect(1 + 1).toBe(2);
});
`;

export async function runCheckVsVitest(options: BenchOptions): Promise<CheckVsVitestResult> {
  const repetitions = options.quick ? 2 : 5;
  const warmupRound = !options.quick;
  // A project outside the repository, with an empty config of its own, so vitest sees neither
  // the repo's vitest.config.ts nor its tests.
  const vitestDir = mkdtempSync(join(tmpdir(), "gradmark-bench-vitest-"));
  writeFileSync(join(vitestDir, "x.test.ts"), TRIVIAL_TEST);
  writeFileSync(join(vitestDir, "vitest.config.mjs"), "export default {};\n");
  const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);
  const distCli = join(repoRoot, "dist", "cli.js");
  const env = { ...process.env, NO_COLOR: "1" };

  const commands: { name: string; run: () => Promise<SpawnResult> }[] = [
    {
      name: "gradmark check (tsx)",
      run: () =>
        spawnTimed(
          bin("tsx"),
          ["grader/cli/main.ts", "check", "reference/solution", "--seed", "1"],
          { cwd: repoRoot, env },
        ),
    },
    {
      name: "vitest run (1 trivial test)",
      run: () =>
        spawnTimed(
          bin("vitest"),
          ["run", "--root", vitestDir, "--config", join(vitestDir, "vitest.config.mjs")],
          { cwd: vitestDir, env },
        ),
    },
  ];
  if (fileExists(distCli)) {
    commands.push({
      name: "gradmark check (dist)",
      run: () =>
        spawnTimed(process.execPath, [distCli, "check", "reference/solution", "--seed", "1"], {
          cwd: repoRoot,
          env,
        }),
    });
  }

  const samples = commands.map(() => [] as number[]);
  const runOnce = async (i: number, record: boolean) => {
    const result = await commands[i]!.run();
    if (result.code !== 0) {
      throw new Error(
        `${commands[i]!.name} exited with ${result.code ?? result.signal}:\n${result.output}`,
      );
    }
    if (record) samples[i]!.push(result.ms);
  };
  try {
    // One untimed round fills tsx's and vite's caches.
    if (warmupRound) for (let i = 0; i < commands.length; i++) await runOnce(i, false);
    for (let rep = 0; rep < repetitions; rep++) {
      // Alternate, and rotate the order so no command always runs right after the same one.
      for (let j = 0; j < commands.length; j++) await runOnce((rep + j) % commands.length, true);
    }
  } finally {
    rmSync(vitestDir, { recursive: true, force: true });
  }
  const timed = (i: number): TimedCommand => ({
    name: commands[i]!.name,
    command: i === 1 ? "vitest run --root <tmp> --config <tmp>/vitest.config.mjs" : "",
    samplesMs: samples[i]!,
    summary: summarize(samples[i]!),
  });
  const checkTsx = {
    ...timed(0),
    command: "tsx grader/cli/main.ts check reference/solution --seed 1",
  };
  const vitest = timed(1);
  const checkDist =
    commands.length > 2
      ? { ...timed(2), command: "node dist/cli.js check reference/solution --seed 1" }
      : null;
  return {
    repetitions,
    warmupRound,
    vitest,
    checkTsx,
    checkDist,
    ratioTsx: pairedRatios(checkTsx.samplesMs, vitest.samplesMs),
    ratioDist: checkDist ? pairedRatios(checkDist.samplesMs, vitest.samplesMs) : null,
  };
}

export function checkVsVitestRows(result: CheckVsVitestResult): Row[] {
  const bench = "1";
  const timeRow = (t: TimedCommand): Row => ({
    bench,
    figure: `${t.name} wall`,
    value: formatMs(t.summary.median),
    spread: formatSpreadMs(t.summary),
    goal: "",
    verdict: "info",
  });
  const ratioRow = (label: string, s: Summary): Row => ({
    bench,
    figure: label,
    value: formatRatio(s.median),
    spread: formatSpreadRatio(s),
    goal: "< 1x",
    verdict: s.median < 1 ? "met" : `NOT MET (${formatRatio(s.median)})`,
  });
  const rows = [timeRow(result.checkTsx), timeRow(result.vitest)];
  if (result.checkDist) rows.push(timeRow(result.checkDist));
  rows.push(ratioRow("check (tsx) / vitest start", result.ratioTsx));
  if (result.ratioDist) rows.push(ratioRow("check (dist) / vitest start", result.ratioDist));
  else
    rows.push({
      bench,
      figure: "check (dist) / vitest start",
      value: "-",
      spread: "",
      goal: "< 1x",
      verdict: "skipped (no dist/cli.js: npm run build)",
    });
  return rows;
}
