import { Tensor } from "../../reference/tensor/index.js";

/**
 * The default relative step of central differences: about the cube root of float64's machine
 * epsilon, where the rounding error of the difference (which grows as the step shrinks) and
 * its truncation error (which grows with the step) are about equal.
 */
export const DEFAULT_RELATIVE_STEP = 6.055454452393343e-6;

/**
 * How far entry k moves: `relativeStep * max(1, |x_k|)` ("magnitude", the default: an absolute
 * step near 0, a relative one for large entries) or `relativeStep * |x_k|` ("relative", and
 * `relativeStep` where x_k = 0: for probabilities as small as 1e-300, which any absolute step
 * would push below zero).
 */
export type StepScale = "magnitude" | "relative";

/** Options of {@link centralDifferences}. */
export interface CentralDifferenceOptions {
  /** The step relative to the entry's size (default {@link DEFAULT_RELATIVE_STEP}). */
  relativeStep?: number;
  /** How the step follows the entry's size (default "magnitude"). */
  scale?: StepScale;
}

/**
 * The step h by which {@link centralDifferences} moves an entry of value `value`, under the
 * rule `scale` (see {@link StepScale}).
 */
export function stepFor(
  value: number,
  relativeStep = DEFAULT_RELATIVE_STEP,
  scale: StepScale = "magnitude",
): number {
  if (scale === "relative") return relativeStep * (value === 0 ? 1 : Math.abs(value));
  return relativeStep * Math.max(1, Math.abs(value));
}

/**
 * The one central-difference loop of gradmark: for every entry k of `input` (row-major order),
 * evaluates `evaluate` at the input with entry k moved by +h_k and then by -h_k (each call gets
 * a fresh tensor of the input's shape that it may keep), and hands both values to
 * `record(k, plus, minus, h_k)`. The derivative along entry k is (plus - minus) / (2 h_k);
 * `record` computes it for its own kind of value (a number, a whole output tensor) and may keep
 * plus and minus to judge their error. `input` itself is never written to. An empty input calls
 * neither function.
 *
 * Costs two evaluations per entry.
 */
export function centralDifferences<T>(
  input: Tensor,
  evaluate: (moved: Tensor) => T,
  record: (k: number, plus: T, minus: T, h: number) => void,
  options: CentralDifferenceOptions = {},
): void {
  const relativeStep = options.relativeStep ?? DEFAULT_RELATIVE_STEP;
  const scale = options.scale ?? "magnitude";
  // One working copy moved an entry at a time; each evaluation gets a copy of its own.
  const probe = input.data.slice();
  for (let k = 0; k < input.size; k++) {
    const original = input.data[k]!;
    const h = stepFor(original, relativeStep, scale);
    probe[k] = original + h;
    const plus = evaluate(new Tensor(probe.slice(), input.shape));
    probe[k] = original - h;
    const minus = evaluate(new Tensor(probe.slice(), input.shape));
    probe[k] = original;
    record(k, plus, minus, h);
  }
}
