/**
 * Benchmark 5: the kit's kernels. `matmul` and einsum specs (matrix product, batched product,
 * contraction over two axes, a diagonal, an outer product) at sizes 8..256, against a naive
 * loop written here, and against numpy's einsum / tensordot / matmul when python3 has numpy.
 *
 * Samples are taken in rounds: one sample of every case per round, the kit and the naive loop
 * back to back, and numpy (one long-lived python3 subprocess for all cases, driven a round at
 * a time over stdin/stdout) in the same round. So every ratio, kit/numpy included, pairs
 * samples taken within a couple of seconds of each other, and a burst of load elsewhere on the
 * machine hits one round, not one case.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { einsum, matmul, Rng, type Tensor } from "../reference/tensor/index.js";
import type { BenchOptions, Row } from "./common.js";
import {
  formatMs,
  formatRatio,
  formatSpreadRatio,
  pairedRatios,
  type Summary,
  sampleMs,
  summarize,
  timeSync,
} from "./stats.js";

export interface KernelCase {
  /** "matmul" or the einsum spec. */
  kernel: string;
  size: number;
  shapes: number[][];
  /** Multiply-adds (or element copies) the kernel does. */
  work: number;
  kit: (operands: Tensor[]) => Tensor;
  naive: (operands: Tensor[]) => Float64Array;
  /** What numpy runs on the same shapes. */
  /** `copy`: also time np.einsum(...).copy(), where numpy's einsum returns a view. */
  numpy: { einsum?: string; tensordot?: number[][]; matmul?: boolean; copy?: boolean };
}

export type NumpyFunction = "einsum" | "einsumCopy" | "tensordot" | "matmul";

export interface KernelPoint {
  kernel: string;
  size: number;
  shapes: number[][];
  work: number;
  /** Largest |kit - naive| (sanity: both compute the same thing). */
  maxAbsDifference: number;
  /** Milliseconds per call, per round. */
  kitMs: number[];
  naiveMs: number[];
  kit: Summary;
  naive: Summary;
  /** Paired by round: kit / naive. */
  kitOverNaive: Summary;
  /** numpy's milliseconds per call, per round (null when numpy was not run). */
  numpyMs: Partial<Record<NumpyFunction, number[]>> | null;
  numpy: Partial<Record<NumpyFunction, Summary>> | null;
  /** Paired by round: kit / np.einsum (null without numpy or without an einsum here). */
  kitOverNumpyEinsum: Summary | null;
  /** Paired by round: kit / np.tensordot or np.matmul (BLAS), for information. */
  kitOverNumpyBlas: { function: NumpyFunction; ratio: Summary } | null;
}

export interface NumpyInfo {
  available: boolean;
  /** Why numpy was not used, or "". */
  note: string;
  numpyVersion?: string;
  blas?: string | null;
  /** OPENBLAS_NUM_THREADS given to python3. */
  blasThreads?: string;
  threadpool?: unknown;
}

export interface KernelsResult {
  sizes: number[];
  rounds: number;
  minSampleMs: number;
  numpy: NumpyInfo;
  points: KernelPoint[];
  /** Per einsum spec: the worst median kit / numpy einsum ratio over the sizes. */
  worstVsNumpyEinsum: { kernel: string; ratio: number; size: number }[];
}

export interface KernelsOptions {
  sizes: number[];
  /** Rounds of samples (each round: one sample of every case, kit, naive and numpy). */
  rounds: number;
  /** Calls per sample are raised until one sample takes at least this long. */
  minSampleMs: number;
  /** Run numpy if python3 has it. */
  numpy: boolean;
  /** Restrict to these kernels ("matmul", "ij,jk->ik", ...); default all. */
  kernels?: string[];
}

export function kernelsOptions(options: BenchOptions): KernelsOptions {
  const sizes = [8, 32, 64, 128, 256];
  return options.quick
    ? { sizes, rounds: 3, minSampleMs: 3, numpy: true }
    : { sizes, rounds: 7, minSampleMs: 10, numpy: true };
}

const BATCH = 8;

/** p * q = s with p <= q, both powers of two for powers of two. */
function split(s: number): [number, number] {
  let p = 2 ** Math.floor(Math.log2(s) / 2);
  while (s % p !== 0) p--;
  return [p, s / p];
}

function naiveMatmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let p = 0; p < k; p++) total += a[i * k + p]! * b[p * n + j]!;
      out[i * n + j] = total;
    }
  }
  return out;
}

/** The cases, in table order. */
export function kernelCases(sizes: readonly number[]): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const s of sizes) {
    cases.push({
      kernel: "matmul",
      size: s,
      shapes: [
        [s, s],
        [s, s],
      ],
      work: s ** 3,
      kit: ([a, b]) => matmul(a!, b!),
      naive: ([a, b]) => naiveMatmul(a!.data, b!.data, s, s, s),
      numpy: { matmul: true },
    });
  }
  for (const s of sizes) {
    cases.push({
      kernel: "ij,jk->ik",
      size: s,
      shapes: [
        [s, s],
        [s, s],
      ],
      work: s ** 3,
      kit: ([a, b]) => einsum("ij,jk->ik", a!, b!),
      naive: ([a, b]) => naiveMatmul(a!.data, b!.data, s, s, s),
      numpy: { einsum: "ij,jk->ik", matmul: true },
    });
  }
  for (const s of sizes) {
    cases.push({
      kernel: "bij,bjk->bik",
      size: s,
      shapes: [
        [BATCH, s, s],
        [BATCH, s, s],
      ],
      work: BATCH * s ** 3,
      kit: ([a, b]) => einsum("bij,bjk->bik", a!, b!),
      naive: ([a, b]) => {
        const ad = a!.data;
        const bd = b!.data;
        const out = new Float64Array(BATCH * s * s);
        for (let batch = 0; batch < BATCH; batch++) {
          const base = batch * s * s;
          for (let i = 0; i < s; i++) {
            for (let k = 0; k < s; k++) {
              let total = 0;
              for (let j = 0; j < s; j++) total += ad[base + i * s + j]! * bd[base + j * s + k]!;
              out[base + i * s + k] = total;
            }
          }
        }
        return out;
      },
      numpy: { einsum: "bij,bjk->bik", matmul: true },
    });
  }
  for (const s of sizes) {
    // [p, q, p, q] x [p, q, s]: i*j = k*l = s, so the work is s^3 like the matrix product.
    const [p, q] = split(s);
    cases.push({
      kernel: "ijkl,klm->ijm",
      size: s,
      shapes: [
        [p, q, p, q],
        [p, q, s],
      ],
      work: s ** 3,
      kit: ([a, b]) => einsum("ijkl,klm->ijm", a!, b!),
      naive: ([a, b]) => {
        const ad = a!.data;
        const bd = b!.data;
        const out = new Float64Array(p * q * s);
        for (let i = 0; i < p; i++) {
          for (let j = 0; j < q; j++) {
            for (let m = 0; m < s; m++) {
              let total = 0;
              for (let k = 0; k < p; k++) {
                for (let l = 0; l < q; l++) {
                  total += ad[((i * q + j) * p + k) * q + l]! * bd[(k * q + l) * s + m]!;
                }
              }
              out[(i * q + j) * s + m] = total;
            }
          }
        }
        return out;
      },
      numpy: {
        einsum: "ijkl,klm->ijm",
        tensordot: [
          [2, 3],
          [0, 1],
        ],
      },
    });
  }
  for (const s of sizes) {
    cases.push({
      kernel: "ii->i",
      size: s,
      shapes: [[s, s]],
      work: s,
      kit: ([a]) => einsum("ii->i", a!),
      naive: ([a]) => {
        const ad = a!.data;
        const out = new Float64Array(s);
        for (let i = 0; i < s; i++) out[i] = ad[i * s + i]!;
        return out;
      },
      // np.einsum returns a view of the diagonal (no work at all); the kit returns a new
      // tensor, so the same work in numpy is the view copied.
      numpy: { einsum: "ii->i", copy: true },
    });
  }
  for (const s of sizes) {
    cases.push({
      kernel: "i,j->ij",
      size: s,
      shapes: [[s], [s]],
      work: s * s,
      kit: ([a, b]) => einsum("i,j->ij", a!, b!),
      naive: ([a, b]) => {
        const ad = a!.data;
        const bd = b!.data;
        const out = new Float64Array(s * s);
        for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) out[i * s + j] = ad[i]! * bd[j]!;
        return out;
      },
      numpy: { einsum: "i,j->ij" },
    });
  }
  return cases;
}

/**
 * The numpy side: reads a config line, builds the operands, warms up and calibrates every
 * function, answers {"ready"}; then for each "round" line takes one sample of every function
 * and answers with the milliseconds per call.
 */
const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np

def send(obj):
    sys.stdout.write(json.dumps(obj) + "\\n")
    sys.stdout.flush()

cfg = json.loads(sys.stdin.readline())
info = {"numpyVersion": np.__version__, "blas": None, "threadpool": None}
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info["blas"] = "%s %s" % (blas.get("name"), blas.get("version"))
except Exception:
    pass
try:
    import threadpoolctl
    info["threadpool"] = [
        {k: p.get(k) for k in ("internal_api", "version", "num_threads")}
        for p in threadpoolctl.threadpool_info()
    ]
except Exception:
    pass

def calibrate(fn):
    fn()
    number = 1
    while True:
        t = time.perf_counter()
        for _ in range(number):
            fn()
        e = (time.perf_counter() - t) * 1000
        if e >= cfg["minSampleMs"] or number >= 1 << 20:
            return number
        number = max(number + 1, int(number * min(10.0, 1.2 * cfg["minSampleMs"] / max(e, 1e-6))) + 1)

rng = np.random.default_rng(1)
jobs = []
for index, case in enumerate(cfg["cases"]):
    ops = [rng.standard_normal(tuple(shape)) for shape in case["shapes"]]
    spec = case["numpy"]
    fns = []
    if spec.get("einsum"):
        fns.append(("einsum", lambda ops=ops, s=spec["einsum"]: np.einsum(s, *ops)))
    if spec.get("einsum") and spec.get("copy"):
        fns.append(("einsumCopy", lambda ops=ops, s=spec["einsum"]: np.einsum(s, *ops).copy()))
    if spec.get("tensordot"):
        fns.append(("tensordot", lambda ops=ops, axes=spec["tensordot"]: np.tensordot(ops[0], ops[1], axes=axes)))
    if spec.get("matmul"):
        fns.append(("matmul", lambda ops=ops: np.matmul(ops[0], ops[1])))
    for name, fn in fns:
        jobs.append((index, name, fn, calibrate(fn)))
send({"ready": True, "info": info})

for line in sys.stdin:
    if line.strip() != "round":
        break
    samples = []
    for index, name, fn, number in jobs:
        t = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append([index, name, (time.perf_counter() - t) * 1000 / number])
    send({"round": samples})
`;

/**
 * BLAS threads for numpy: the kit runs on one thread, and on a shared 2-core machine idle
 * OpenBLAS threads spin and disturb the measurements that follow (4/8/16 ms outliers).
 */
export const NUMPY_BLAS_THREADS = "1";

/**
 * python3's environment: without the OpenBLAS settings that slow numpy down on this machine
 * (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE), and with single-threaded BLAS. This process's own
 * environment is left alone.
 */
function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.OPENBLAS_NUM_THREADS = NUMPY_BLAS_THREADS;
  env.OMP_NUM_THREADS = NUMPY_BLAS_THREADS;
  return env;
}

function probeNumpy(): NumpyInfo {
  const probe = spawnSync("python3", ["-c", "import numpy"], {
    env: pythonEnv(),
    encoding: "utf8",
    timeout: 30_000,
  });
  if (probe.error)
    return { available: false, note: `python3 not runnable: ${probe.error.message}` };
  if (probe.status !== 0) {
    return {
      available: false,
      note: `python3 -c "import numpy" failed: ${probe.stderr.trim().split("\n").at(-1) ?? ""}`,
    };
  }
  return { available: true, note: "" };
}

/** The one python3 subprocess, driven a line at a time. */
class NumpyProcess {
  private stderr = "";

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
  ) {
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-4096);
    });
  }

  static async start(
    cases: readonly KernelCase[],
    minSampleMs: number,
  ): Promise<{ process: NumpyProcess; info: Omit<NumpyInfo, "available" | "note"> }> {
    const child = spawn("python3", ["-u", "-c", NUMPY_SCRIPT], {
      env: pythonEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const numpyProcess = new NumpyProcess(child, lines);
    try {
      child.stdin.write(
        `${JSON.stringify({
          minSampleMs,
          cases: cases.map((c) => ({ shapes: c.shapes, numpy: c.numpy })),
        })}\n`,
      );
      const ready = (await numpyProcess.next()) as { ready: true; info: NumpyInfo };
      return { process: numpyProcess, info: ready.info };
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  private async next(): Promise<unknown> {
    const line = await this.lines.next();
    if (line.done) {
      await new Promise((resolveExit) => setTimeout(resolveExit, 50));
      throw new Error(`the numpy subprocess ended early:\n${this.stderr}`);
    }
    return JSON.parse(line.value);
  }

  /** One sample of every numpy function: [case index, function, ms per call]. */
  async round(): Promise<[number, NumpyFunction, number][]> {
    this.child.stdin.write("round\n");
    return ((await this.next()) as { round: [number, NumpyFunction, number][] }).round;
  }

  close(): void {
    this.child.stdin.end("quit\n");
  }
}

export async function runKernels(options: KernelsOptions): Promise<KernelsResult> {
  const cases = kernelCases(options.sizes).filter(
    (c) => !options.kernels || options.kernels.includes(c.kernel),
  );
  let numpy: NumpyInfo = options.numpy
    ? probeNumpy()
    : { available: false, note: "numpy not requested" };
  let python: NumpyProcess | null = null;
  if (numpy.available) {
    const started = await NumpyProcess.start(cases, options.minSampleMs);
    python = started.process;
    numpy = { ...numpy, ...started.info, blasThreads: NUMPY_BLAS_THREADS };
  }
  try {
    // Operands, a correctness check against the naive loop, warm-up and calibration.
    const prepared = cases.map((c) => {
      const rng = new Rng(`kernels:${c.kernel}:${c.size}`);
      const operands = c.shapes.map((shape) => rng.randn(shape));
      const kitOut = c.kit(operands);
      const naiveOut = c.naive(operands);
      let maxAbsDifference = 0;
      for (let i = 0; i < naiveOut.length; i++) {
        maxAbsDifference = Math.max(maxAbsDifference, Math.abs(kitOut.data[i]! - naiveOut[i]!));
      }
      if (kitOut.size !== naiveOut.length || !(maxAbsDifference < 1e-8 * Math.max(1, c.size))) {
        throw new Error(`${c.kernel} at size ${c.size}: the kit and the naive loop disagree`);
      }
      const kit = () => c.kit(operands);
      const naive = () => c.naive(operands);
      const calibration = { samples: 1, minSampleMs: options.minSampleMs };
      return {
        maxAbsDifference,
        kit,
        naive,
        kitInner: timeSync(kit, calibration).inner,
        naiveInner: timeSync(naive, calibration).inner,
      };
    });
    const kitMs = cases.map(() => [] as number[]);
    const naiveMs = cases.map(() => [] as number[]);
    const numpyMs = cases.map(() => ({}) as Partial<Record<NumpyFunction, number[]>>);
    const nodeRound = () => {
      prepared.forEach((p, i) => {
        kitMs[i]!.push(sampleMs(p.kit, p.kitInner));
        naiveMs[i]!.push(sampleMs(p.naive, p.naiveInner));
      });
    };
    const pythonRound = async () => {
      if (!python) return;
      for (const [index, fn, ms] of await python.round()) {
        const own = numpyMs[index]!;
        own[fn] = [...(own[fn] ?? []), ms];
      }
    };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which side goes first.
      if (round % 2 === 0) {
        nodeRound();
        await pythonRound();
      } else {
        await pythonRound();
        nodeRound();
      }
    }

    const points: KernelPoint[] = cases.map((c, i) => {
      const times = python ? numpyMs[i]! : null;
      const blasFn: NumpyFunction | null = times?.tensordot
        ? "tensordot"
        : times?.matmul
          ? "matmul"
          : null;
      return {
        kernel: c.kernel,
        size: c.size,
        shapes: c.shapes,
        work: c.work,
        maxAbsDifference: prepared[i]!.maxAbsDifference,
        kitMs: kitMs[i]!,
        naiveMs: naiveMs[i]!,
        kit: summarize(kitMs[i]!),
        naive: summarize(naiveMs[i]!),
        kitOverNaive: pairedRatios(kitMs[i]!, naiveMs[i]!),
        numpyMs: times,
        numpy: times
          ? Object.fromEntries(Object.entries(times).map(([fn, ms]) => [fn, summarize(ms)]))
          : null,
        kitOverNumpyEinsum: times?.einsum ? pairedRatios(kitMs[i]!, times.einsum) : null,
        kitOverNumpyBlas:
          times && blasFn
            ? { function: blasFn, ratio: pairedRatios(kitMs[i]!, times[blasFn]!) }
            : null,
      };
    });
    const worstVsNumpyEinsum: KernelsResult["worstVsNumpyEinsum"] = [];
    for (const kernel of new Set(points.map((p) => p.kernel))) {
      let worst: { kernel: string; ratio: number; size: number } | null = null;
      for (const p of points) {
        if (p.kernel !== kernel || p.kitOverNumpyEinsum === null) continue;
        const ratio = p.kitOverNumpyEinsum.median;
        if (!worst || ratio > worst.ratio) worst = { kernel, ratio, size: p.size };
      }
      if (worst) worstVsNumpyEinsum.push(worst);
    }
    return {
      sizes: options.sizes,
      rounds: options.rounds,
      minSampleMs: options.minSampleMs,
      numpy,
      points,
      worstVsNumpyEinsum,
    };
  } finally {
    python?.close();
  }
}

export function kernelsRows(result: KernelsResult): Row[] {
  const bench = "5";
  const rows: Row[] = [];
  for (const p of result.points) {
    const versus = [`naive ${formatRatio(p.kitOverNaive.median)}`];
    if (p.numpyMs?.einsumCopy) {
      const copied = pairedRatios(p.kitMs, p.numpyMs.einsumCopy);
      versus.push(`np.einsum+copy ${formatRatio(copied.median)}`);
    }
    if (p.kitOverNumpyBlas) {
      versus.push(
        `np.${p.kitOverNumpyBlas.function} ${formatRatio(p.kitOverNumpyBlas.ratio.median)}`,
      );
    }
    const figure = `${p.kernel.padEnd(13)} s=${String(p.size).padEnd(3)} kit ${formatMs(p.kit.median).padStart(8)} (vs ${versus.join(", ")})`;
    const vsEinsum = p.kernel !== "matmul" ? p.kitOverNumpyEinsum : null;
    rows.push(
      vsEinsum
        ? {
            bench,
            figure,
            value: formatRatio(vsEinsum.median),
            spread: formatSpreadRatio(vsEinsum),
            goal: "kit/np.einsum <= 3x",
            verdict: vsEinsum.median <= 3 ? "met" : "NOT MET",
          }
        : {
            bench,
            figure,
            value: formatRatio(p.kitOverNaive.median),
            spread: formatSpreadRatio(p.kitOverNaive),
            goal: "(kit/naive)",
            verdict: "info",
          },
    );
  }
  if (!result.numpy.available) {
    rows.push({
      bench,
      figure: "numpy comparison",
      value: "-",
      spread: "",
      goal: "kit/np.einsum <= 3x",
      verdict: `skipped: ${result.numpy.note}`,
    });
    return rows;
  }
  for (const w of result.worstVsNumpyEinsum) {
    rows.push({
      bench,
      figure: `worst kit/np.einsum over sizes: ${w.kernel} (at s=${w.size})`,
      value: formatRatio(w.ratio),
      spread: "",
      goal: "<= 3x",
      verdict: w.ratio <= 3 ? "met" : `NOT MET (${formatRatio(w.ratio / 3)} over)`,
    });
  }
  const failing = result.worstVsNumpyEinsum.filter((w) => w.ratio > 3);
  rows.push({
    bench,
    figure: `numpy ${result.numpy.numpyVersion ?? "?"}, BLAS ${result.numpy.blas ?? "unknown"} (${result.numpy.blasThreads ?? "?"} thread)`,
    value: `${result.worstVsNumpyEinsum.length - failing.length}/${result.worstVsNumpyEinsum.length}`,
    spread: "specs within 3x",
    goal: "every spec",
    verdict: failing.length === 0 ? "met" : "NOT MET",
  });
  return rows;
}
