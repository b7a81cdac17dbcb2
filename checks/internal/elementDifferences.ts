import { Tensor } from "../../reference/tensor/index.js";
import { stepFor } from "./centralDifferences.js";
import type { NumericalGradient, Sample } from "./sample.js";

/** The samples of an element not measured yet. */
const NOT_MEASURED: Sample = { value: 0, scale: 0 };

/**
 * The central differences of one input's elements, measured one element at a time and only
 * when asked (2 evaluations each), with the samples kept for the kink test. The step and the
 * arithmetic are centralDifferences' (stepFor, x_j moved by +h then -h), so an element measured
 * here has the value a full pass gives it.
 */
export class ElementDifferences {
  /** What was measured so far; an element not yet measured holds 0 everywhere. */
  readonly numerical: NumericalGradient;
  /** 1 where the element was measured. */
  readonly measured: Uint8Array;

  constructor(
    private readonly input: Tensor,
    private readonly relativeStep: number,
    private readonly phiAt: (x: Float64Array) => Sample,
  ) {
    const n = input.size;
    this.numerical = {
      expected: new Tensor(new Float64Array(n), input.shape),
      plus: new Array<Sample>(n).fill(NOT_MEASURED),
      minus: new Array<Sample>(n).fill(NOT_MEASURED),
      steps: new Float64Array(n),
    };
    this.measured = new Uint8Array(n);
  }

  /** The central difference of element j (measured once). */
  measure(j: number): number {
    const numerical = this.numerical;
    if (this.measured[j] === 1) return numerical.expected.data[j]!;
    const original = this.input.data[j]!;
    const h = stepFor(original, this.relativeStep);
    const moved = this.input.data.slice();
    moved[j] = original + h;
    const up = this.phiAt(moved.slice());
    moved[j] = original - h;
    const down = this.phiAt(moved);
    numerical.plus[j] = up;
    numerical.minus[j] = down;
    numerical.steps[j] = h;
    numerical.expected.data[j] = (up.value - down.value) / (2 * h);
    this.measured[j] = 1;
    return numerical.expected.data[j]!;
  }
}
