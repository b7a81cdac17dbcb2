import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

/** The repository root (bench/ lives directly under it). */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export interface BenchOptions {
  /** Fewer repetitions and smaller workloads: a smoke run. */
  quick: boolean;
}

/** One line of the printed table. */
export interface Row {
  /** Which benchmark (1..5) the row belongs to. */
  bench: string;
  figure: string;
  value: string;
  /** min..max of the samples (or of the paired ratios). */
  spread: string;
  goal: string;
  /** "met", "NOT MET", "info", "skipped", ... */
  verdict: string;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  /** `/proc/loadavg`'s 1-minute load when the bench started (the machine is shared). */
  loadAverage1m: number | null;
}

export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const match = /^model name\s*:\s*(.+)$/m.exec(info);
    if (match) cpuModel = match[1]!.trim();
  } catch {
    // Not Linux: os.cpus() it is.
  }
  let loadAverage1m: number | null = null;
  try {
    loadAverage1m = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    loadAverage1m = null;
  }
  return {
    cores: cpus().length,
    cpuModel,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m,
  };
}

export interface SpawnResult {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few KiB of stdout and stderr, for error messages. */
  output: string;
}

/** Spawns a command, waits for it and returns its wall time (spawn to exit). */
export function spawnTimed(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<SpawnResult> {
  return new Promise((resolvePromise, rejectPromise) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4096);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      rejectPromise(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ ms: performance.now() - started, code, signal, output });
    });
  });
}

/** Renders rows as one fixed-width text table. */
export function renderTable(rows: readonly Row[]): string {
  const headers: Row = {
    bench: "#",
    figure: "figure",
    value: "median",
    spread: "spread (min..max)",
    goal: "goal",
    verdict: "verdict",
  };
  const keys = ["bench", "figure", "value", "spread", "goal", "verdict"] as const;
  const widths = keys.map((key) => Math.max(...[headers, ...rows].map((row) => row[key].length)));
  const line = (row: Row) =>
    keys
      .map((key, i) =>
        key === "value" ? row[key].padStart(widths[i]!) : row[key].padEnd(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(headers), rule];
  let previous: string | null = null;
  for (const row of rows) {
    if (previous !== null && row.bench !== previous) out.push("");
    previous = row.bench;
    out.push(line(row));
  }
  return out.join("\n");
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}
