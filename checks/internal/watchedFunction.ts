import { Tensor } from "../../reference/tensor/index.js";
import { firstNonFinite } from "./close.js";
import type { TensorFunction } from "./perturb.js";

/** A value of f that was not finite: where in f's output, and which input was moved (or none). */
export interface NonFiniteOutput {
  flat: number;
  value: number;
  shape: readonly number[];
  input: number | null;
}

/**
 * f as gradcheck calls it: every call counted, its result required to be a Tensor, and the
 * first value that was not finite remembered with the input that was being moved (gradcheck
 * blames that input for it).
 */
export class WatchedFunction {
  /** Calls of f so far. */
  evaluations = 0;
  /** The first value of f that was not finite, or null. */
  nonFinite: NonFiniteOutput | null = null;
  #moving: number | null = null;

  constructor(private readonly f: TensorFunction) {}

  /** f at `args`, unmoved (the point itself). */
  call(args: readonly Tensor[]): Tensor {
    return this.#call(args, true);
  }

  #call(args: readonly Tensor[], watchValues: boolean): Tensor {
    this.evaluations++;
    // Called as a plain function, as f was always called (`this` is undefined inside).
    const f = this.f;
    const out = f(...args);
    if (!(out instanceof Tensor)) {
      throw new Error(`gradcheck: f must return a Tensor, got ${typeof out}`);
    }
    const bad = firstNonFinite(out.data);
    if (watchValues && bad !== -1 && this.nonFinite === null) {
      this.nonFinite = { flat: bad, value: out.data[bad]!, shape: out.shape, input: this.#moving };
    }
    return out;
  }

  /** f at `inputs` with input `i`'s data replaced by `replacement` (a move of input i). */
  moved(inputs: readonly Tensor[], i: number, replacement: Float64Array): Tensor {
    const args = inputs.slice();
    args[i] = new Tensor(replacement, inputs[i]!.shape);
    this.#moving = i;
    const out = this.#call(args, true);
    this.#moving = null;
    return out;
  }

  /**
   * f with several inputs moved at once (`replacements[i]` replaces input i's data, null keeps
   * it). A value that is not finite is not remembered: no one input can be blamed for it, so the
   * caller looks again one input at a time, and blames from those moves.
   */
  movedTogether(inputs: readonly Tensor[], replacements: readonly (Float64Array | null)[]): Tensor {
    const args = inputs.map((input, i) => {
      const replacement = replacements[i];
      return replacement ? new Tensor(replacement, input.shape) : input;
    });
    return this.#call(args, false);
  }
}
