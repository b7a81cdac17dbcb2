/** Small statistics for noisy timings: medians and spreads, never means. */

export interface Summary {
  /** Number of samples. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  q1: number;
  q3: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const weight = position - low;
  return sorted[low]! * (1 - weight) + sorted[high]! * weight;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/** Element-wise ratios of paired samples (a[i] / b[i]), summarized. */
export function pairedRatios(a: readonly number[], b: readonly number[]): Summary {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(a[i]! / b[i]!);
  return summarize(ratios);
}

/** Slope of log(y) against log(x) by least squares: 0 is flat, 1 linear, 2 quadratic. */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const points = xs
    .map((x, i) => [Math.log(x), Math.log(ys[i]!)] as const)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (points.length < 2) return Number.NaN;
  const mx = points.reduce((t, [x]) => t + x, 0) / points.length;
  const my = points.reduce((t, [, y]) => t + y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den === 0 ? Number.NaN : num / den;
}

export interface TimingOptions {
  /** Timed samples (each sample is `inner` calls, its time divided by `inner`). */
  samples: number;
  /** Calls per sample are raised until one sample takes at least this long. */
  minSampleMs: number;
  /** Untimed calls before calibration (JIT warm-up; default 1). */
  warmup?: number;
  /** Stop taking samples once this much time went into them (at least one sample is taken). */
  budgetMs?: number;
}

/**
 * Times a synchronous function: warm-up, calibration of the calls per sample, then `samples`
 * samples. Returns milliseconds per call. The function's return values are folded into a sink
 * so the work cannot be optimised away.
 */
export function timeSync(
  fn: () => unknown,
  options: TimingOptions,
): Summary & { inner: number; samplesMs: number[] } {
  for (let i = 0; i < (options.warmup ?? 1); i++) sink(fn());
  let inner = 1;
  const samplesMs: number[] = [];
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  let spent = 0;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < inner; i++) sink(fn());
    const elapsed = performance.now() - started;
    if (elapsed >= options.minSampleMs && inner === 1) {
      // A single call already fills a sample: it counts as the first one.
      samplesMs.push(elapsed);
      spent += elapsed;
      break;
    }
    if (elapsed >= options.minSampleMs || inner >= 1 << 20) break;
    // Aim a little above the target so the next attempt usually suffices.
    const factor = elapsed <= 0 ? 10 : Math.min(10, (1.2 * options.minSampleMs) / elapsed);
    inner = Math.max(inner + 1, Math.ceil(inner * factor));
  }
  while (samplesMs.length < options.samples && (samplesMs.length === 0 || spent < budgetMs)) {
    const started = performance.now();
    for (let i = 0; i < inner; i++) sink(fn());
    const elapsed = performance.now() - started;
    spent += elapsed;
    samplesMs.push(elapsed / inner);
  }
  return { ...summarize(samplesMs), inner, samplesMs };
}

/** One sample: `inner` calls of fn, in milliseconds per call. */
export function sampleMs(fn: () => unknown, inner: number): number {
  const started = performance.now();
  for (let i = 0; i < inner; i++) sink(fn());
  return (performance.now() - started) / inner;
}

let sinkValue = 0;
function sink(value: unknown): void {
  if (typeof value === "number") sinkValue += value;
  else if (value !== null && typeof value === "object") sinkValue += 1;
}

/** Keeps the sink observable (and so the timed work alive). */
export function sinkChecksum(): number {
  return sinkValue;
}

/** "12.3 ms", "456 us", "1.23 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 0.01) return `${(ms * 1000).toFixed(1)} us`;
  return `${(ms * 1000).toFixed(2)} us`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "-";
  if (ratio >= 100) return `${ratio.toFixed(0)}x`;
  if (ratio >= 10) return `${ratio.toFixed(1)}x`;
  return `${ratio.toFixed(2)}x`;
}

export function formatSpreadMs(s: Summary): string {
  return s.n > 1 ? `${formatMs(s.min)}..${formatMs(s.max)}` : "(1 sample)";
}

export function formatSpreadRatio(s: Summary): string {
  return s.n > 1 ? `${formatRatio(s.min)}..${formatRatio(s.max)}` : "(1 sample)";
}

/**
 * Times several functions side by side: each is warmed up and calibrated on its own, then the
 * samples alternate (fn 0, fn 1, ..., fn 0, fn 1, ...) so drifting machine load hits all alike.
 */
export function timeInterleaved(
  fns: readonly (() => unknown)[],
  options: TimingOptions,
): (Summary & { inner: number; samplesMs: number[] })[] {
  const calibrated = fns.map((fn) =>
    timeSync(fn, { ...options, samples: 1, budgetMs: Number.POSITIVE_INFINITY }),
  );
  const samples = calibrated.map((c) => [...c.samplesMs]);
  const budgetMs = options.budgetMs ?? Number.POSITIVE_INFINITY;
  let spent = calibrated.reduce((t, c) => t + c.median * c.inner, 0);
  while (samples[0]!.length < options.samples && spent < budgetMs) {
    fns.forEach((fn, f) => {
      const inner = calibrated[f]!.inner;
      const started = performance.now();
      for (let i = 0; i < inner; i++) sink(fn());
      const elapsed = performance.now() - started;
      spent += elapsed;
      samples[f]!.push(elapsed / inner);
    });
  }
  return samples.map((s, f) => ({ ...summarize(s), inner: calibrated[f]!.inner, samplesMs: s }));
}
