/**
 * `npm run bench [-- --quick] [-- --only kernels,gradcheck]`: runs the performance benchmarks
 * of SPEC.md (Performance), prints one table and writes bench/out/results.json.
 * Every figure is a ratio of two things measured side by side in this one run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { batchRows, runBatch } from "./batch.js";
import { checkVsVitestRows, runCheckVsVitest } from "./checkVsVitest.js";
import { type BenchOptions, describeMachine, type Row, renderTable, repoRoot } from "./common.js";
import { gradcheckCostOptions, gradcheckCostRows, runGradcheckCost } from "./gradcheckCost.js";
import { gradcheckPowerOptions, gradcheckPowerRows, runGradcheckPower } from "./gradcheckPower.js";
import {
  gradcheckVsTorchOptions,
  gradcheckVsTorchRows,
  runGradcheckVsTorch,
} from "./gradcheckVsTorch.js";
import { gradeCpuRows, runGradeCpu } from "./gradeCpu.js";
import { kernelsOptions, kernelsRows, runKernels } from "./kernels.js";
import { overheadRows, runOverhead } from "./overhead.js";
import { formatMs } from "./stats.js";
import { runWatchVsVitest, watchVsVitestOptions, watchVsVitestRows } from "./watchVsVitest.js";

interface Benchmark {
  name: string;
  aliases: string[];
  title: string;
  run: (options: BenchOptions) => Promise<{ result: unknown; rows: Row[] }>;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: "check",
    aliases: ["1", "checkvsvitest", "vitest"],
    title: "gradmark check vs vitest start",
    run: async (o) => {
      const result = await runCheckVsVitest(o);
      return { result, rows: checkVsVitestRows(result) };
    },
  },
  {
    name: "overhead",
    aliases: ["2"],
    title: "harness overhead",
    run: async (o) => {
      const result = await runOverhead(o);
      return { result, rows: overheadRows(result) };
    },
  },
  {
    name: "batch",
    aliases: ["3"],
    title: "batch throughput",
    run: async (o) => {
      const result = await runBatch(o);
      return { result, rows: batchRows(result) };
    },
  },
  {
    name: "cpu",
    aliases: ["9", "gradecpu"],
    title: "CPU per grade and per batch submission",
    run: async (o) => {
      const result = await runGradeCpu(o);
      return { result, rows: gradeCpuRows(result) };
    },
  },
  {
    name: "gradcheck",
    aliases: ["4", "gradcheckcost"],
    title: "gradient-check cost",
    run: async (o) => {
      const result = runGradcheckCost(gradcheckCostOptions(o));
      return { result, rows: gradcheckCostRows(result) };
    },
  },
  {
    name: "kernels",
    aliases: ["5", "kernel", "einsum", "matmul"],
    title: "kit kernels",
    run: async (o) => {
      const result = await runKernels(kernelsOptions(o));
      return { result, rows: kernelsRows(result) };
    },
  },
  {
    name: "power",
    aliases: ["6", "gradcheckpower", "detection"],
    title: "gradient-check detection and false failures",
    run: async (o) => {
      const result = runGradcheckPower(gradcheckPowerOptions(o));
      return { result, rows: gradcheckPowerRows(result) };
    },
  },
  {
    name: "torch",
    aliases: ["7", "vstorch", "gradcheckvstorch"],
    title: "gradcheck vs torch.autograd.gradcheck",
    run: async (o) => {
      const result = await runGradcheckVsTorch(gradcheckVsTorchOptions(o));
      return { result, rows: gradcheckVsTorchRows(result) };
    },
  },
  {
    name: "watch",
    aliases: ["8"],
    title: "check --watch save to verdict vs vitest --watch",
    run: async (o) => {
      const result = await runWatchVsVitest(watchVsVitestOptions(o));
      return { result, rows: watchVsVitestRows(result) };
    },
  },
];

const USAGE = `usage: npm run bench [-- --quick] [-- --only <names>]
  --quick         fewer repetitions and samples (a smoke run, well under a minute)
  --only <names>  comma-separated: ${BENCHMARKS.map((b) => b.name).join(", ")} (or 1..8); may repeat
  --out <file>    where to write the JSON (default bench/out/results.json)`;

function parseArgs(argv: readonly string[]): { quick: boolean; only: Benchmark[]; out: string } {
  let quick = false;
  let out = join(repoRoot, "bench", "out", "results.json");
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--quick") quick = true;
    else if (flag === "--only") names.push(...value().split(","));
    else if (flag === "--out") out = value();
    else if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  const only =
    names.length === 0
      ? BENCHMARKS
      : BENCHMARKS.filter((b) =>
          names.some((n) => {
            const t = n.trim().toLowerCase();
            return t === b.name || b.aliases.includes(t);
          }),
        );
  const unknown = names.filter(
    (n) =>
      !BENCHMARKS.some((b) => {
        const t = n.trim().toLowerCase();
        return t === b.name || b.aliases.includes(t);
      }),
  );
  if (unknown.length > 0)
    throw new Error(`--only: unknown benchmark ${unknown.join(", ")}\n${USAGE}`);
  return { quick, only, out };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const machine = describeMachine();
  const startedAt = new Date();
  const started = performance.now();
  const machineLine = `machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}${machine.loadAverage1m === null ? "" : `, load average ${machine.loadAverage1m.toFixed(2)} at start`}`;
  console.log(machineLine);
  console.log(
    `mode: ${args.quick ? "--quick (fewer repetitions: a smoke run, not numbers to quote)" : "full"}; benchmarks: ${args.only.map((b) => b.name).join(", ")}`,
  );

  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const benchmark of args.only) {
    const t0 = performance.now();
    process.stderr.write(`[bench] ${benchmark.name}: ${benchmark.title}...`);
    try {
      const { result, rows: own } = await benchmark.run({ quick: args.quick });
      results[benchmark.name] = result;
      rows.push(...own);
      process.stderr.write(` ${formatMs(performance.now() - t0)}\n`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors[benchmark.name] = message;
      process.stderr.write(` failed\n${message}\n`);
      rows.push({
        bench: String(BENCHMARKS.indexOf(benchmark) + 1),
        figure: benchmark.title,
        value: "-",
        spread: "",
        goal: "",
        verdict: `ERROR: ${message.split("\n")[0]}`,
      });
    }
  }
  const totalMs = performance.now() - started;
  console.log("");
  console.log(renderTable(rows));
  console.log("");
  console.log(`total bench time ${formatMs(totalMs)}`);

  mkdirSync(join(args.out, ".."), { recursive: true });
  writeFileSync(
    args.out,
    `${JSON.stringify(
      {
        machine,
        machineLine,
        quick: args.quick,
        benchmarks: args.only.map((b) => b.name),
        startedAt: startedAt.toISOString(),
        totalMs,
        results,
        errors,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  formatJson(args.out);
  console.log(`wrote ${args.out}`);
  return Object.keys(errors).length > 0 ? 1 : 0;
}

/**
 * Lays the JSON out as the repository's formatter wants it, so `biome check .` stays clean
 * with a results file in the tree (biome.json does not skip git-ignored files). Best effort.
 */
function formatJson(file: string): void {
  const biome = join(repoRoot, "node_modules", ".bin", "biome");
  if (!existsSync(biome)) return;
  spawnSync(biome, ["format", "--write", file], {
    cwd: repoRoot,
    stdio: "ignore",
    timeout: 30_000,
  });
}

process.exitCode = await main();
