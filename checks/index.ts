/**
 * gradmark/checks: finite differences, gradient checks with hints, tensor comparison, and
 * fast-check arbitraries for tensors of the kit. Vitest matchers: `gradmark/checks/vitest`.
 */
export { type FiniteDifferenceOptions, numericalDerivative } from "./numericalDerivative.js";
export { numericalVjp } from "./numericalVjp.js";
export type { TensorFunction } from "./internal/perturb.js";
export {
  type Comparison,
  type ComparisonOutcome,
  type CompareOptions,
  type Tolerance,
  type WorstElement,
  DEFAULT_TOLERANCE,
  compareTensors,
} from "./compareTensors.js";
export { type DiagnoseContext, type Hint, type HintKind, diagnose } from "./diagnose.js";
export {
  type GradcheckOptions,
  type GradcheckReport,
  type GradcheckStatus,
  type GradientFunction,
  type InputReport,
  gradcheck,
} from "./gradcheck.js";
export { type Gradcheckable, gradmarkMatchers } from "./matchers.js";
