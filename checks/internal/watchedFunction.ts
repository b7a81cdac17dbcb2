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
 * f as gradcheck calls it: every call counted, its result required to be a Tensor, and every
 * value that was not finite remembered with the input that was being moved (gradcheck blames
 * that input for the first one it was not asked to forgive).
 */
export class WatchedFunction {
  /** Calls of f so far. */
  evaluations = 0;
  #atPoint: NonFiniteOutput | null = null;
  readonly #moved: NonFiniteOutput[] = [];
  readonly #forgiven = new Set<NonFiniteOutput>();
  #moving: number | null = null;

  constructor(private readonly f: TensorFunction) {}

  /**
   * The value of f that was not finite to blame, or null: at the point itself (never forgiven),
   * else the first one at a moved point that was not forgiven.
   */
  get nonFinite(): NonFiniteOutput | null {
    return this.#atPoint ?? this.#moved.find((found) => !this.#forgiven.has(found)) ?? null;
  }

  /** f at `args`, unmoved (the point itself). */
  call(args: readonly Tensor[]): Tensor {
    const { output, nonFinite } = this.#call(args, true);
    this.#atPoint ??= nonFinite;
    return output;
  }

  #call(
    args: readonly Tensor[],
    watchValues: boolean,
  ): { output: Tensor; nonFinite: NonFiniteOutput | null } {
    this.evaluations++;
    // Called as a plain function, as f was always called (`this` is undefined inside).
    const f = this.f;
    const out = f(...args);
    if (!(out instanceof Tensor)) {
      throw new Error(`gradcheck: f must return a Tensor, got ${typeof out}`);
    }
    const bad = watchValues ? firstNonFinite(out.data) : -1;
    const nonFinite =
      bad === -1
        ? null
        : { flat: bad, value: out.data[bad]!, shape: out.shape, input: this.#moving };
    return { output: out, nonFinite };
  }

  /**
   * f at `inputs` with input `i`'s data replaced by `replacement` (a move of input i), and the
   * first value that was not finite, if any: remembered, and blamed unless `forgive`n.
   */
  moved(
    inputs: readonly Tensor[],
    i: number,
    replacement: Float64Array,
  ): { output: Tensor; nonFinite: NonFiniteOutput | null } {
    const args = inputs.slice();
    args[i] = new Tensor(replacement, inputs[i]!.shape);
    this.#moving = i;
    const result = this.#call(args, true);
    this.#moving = null;
    if (result.nonFinite !== null) this.#moved.push(result.nonFinite);
    return result;
  }

  /** Forgives a value of f at a moved point that decided nothing (see Sample.forgive). */
  forgive(found: NonFiniteOutput): void {
    this.#forgiven.add(found);
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
    return this.#call(args, false).output;
  }
}
