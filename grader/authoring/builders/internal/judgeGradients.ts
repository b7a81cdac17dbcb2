import { type DiagnoseContext, numericalVjp, type Tolerance } from "../../../../checks/index.js";
import type { Tensor } from "../../../../reference/tensor/index.js";
import { expectTensor, fail, PASS } from "../../judge.js";
import type { Verdict } from "../../types.js";

/**
 * Every gradient against finite differences of the reference forward `f` (numerical VJPs with
 * the case's downstream gradient).
 */
export function judgeGradients(options: {
  f: (...inputs: Tensor[]) => Tensor;
  inputs: readonly Tensor[];
  downstream: Tensor;
  grads: readonly unknown[];
  names: readonly string[];
  which?: readonly number[];
  tolerance: Tolerance;
  context?: DiagnoseContext;
  note?: string;
  /** The expected gradient of input i, when plain finite differences of `f` cannot give it. */
  expected?: (i: number) => Tensor;
}): Verdict {
  const which = options.which ?? options.inputs.map((_, i) => i);
  for (const i of which) {
    const expected = options.expected
      ? options.expected(i)
      : numericalVjp(options.f, options.inputs, options.downstream, i);
    const verdict = expectTensor(options.grads[i], expected, {
      name: options.names[i]!,
      tolerance: options.tolerance,
      context: options.context,
    });
    if (!verdict.pass) return options.note ? fail(`${verdict.message}\n${options.note}`) : verdict;
  }
  return PASS;
}
