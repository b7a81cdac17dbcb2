import { Tensor } from "../reference/tensor/index.js";

/** Central differences in float64 use a step of about the cube root of machine epsilon. */
export const DEFAULT_RELATIVE_STEP = 6.055454452393343e-6;

/**
 * How far entry k moves: `relativeStep * max(1, |x_k|)` ("magnitude", the default: an absolute
 * step near 0, a relative one for large entries) or `relativeStep * |x_k|` ("relative", and
 * `relativeStep` where x_k = 0: for probabilities as small as 1e-300, which any absolute step
 * would push below zero).
 */
export type StepScale = "magnitude" | "relative";

export interface CentralDifferenceOptions {
  /** The step relative to the entry's size (default DEFAULT_RELATIVE_STEP). */
  relativeStep?: number;
  /** How the step follows the entry's size (default "magnitude"). */
  scale?: StepScale;
}

/** The step for an entry of value `value`. */
export function stepFor(
  value: number,
  relativeStep = DEFAULT_RELATIVE_STEP,
  scale: StepScale = "magnitude",
): number {
  if (scale === "relative") return relativeStep * (value === 0 ? 1 : Math.abs(value));
  return relativeStep * Math.max(1, Math.abs(value));
}

/**
 * The one central-difference loop of gradmark: for every entry k of `input`, evaluates
 * `evaluate` at the input with entry k moved by +h_k and then by -h_k (each call gets a fresh
 * tensor it may keep), and hands both values to `record(k, plus, minus, h_k)`. The derivative
 * along entry k is (plus - minus) / (2 h_k); `record` computes it for its own kind of value (a
 * number, a whole output tensor) and may keep plus and minus to judge their error.
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
