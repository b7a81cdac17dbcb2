/**
 * gradmark/checks: finite differences, gradient checks with hints, tensor comparison, and
 * fast-check arbitraries for tensors of the kit. Vitest matchers: `gradmark/checks/vitest`.
 */

export {
  type Activation,
  type ContractionPair,
  type ContractionPairConstraints,
  contractionPairArb,
  type DagConstraints,
  type DagNode,
  type DagOp,
  type DagSpec,
  DEFAULT_KINK_MARGIN,
  dagArb,
  type EinsumCase,
  type EinsumCaseConstraints,
  einsumCaseArb,
  type LayerSpec,
  type LayerStackConstraints,
  type LayerStackSpec,
  layerStackArb,
  type OneHotLabelsConstraints,
  oneHotLabelsArb,
  type ShapeConstraints,
  shapeArb,
  type TensorConstraints,
  type TensorsConstraints,
  tensorArb,
  tensorsArb,
  type ValueConstraints,
} from "./arbitraries/index.js";
export {
  type CentralDifferenceOptions,
  centralDifferences,
  DEFAULT_RELATIVE_STEP,
  type StepScale,
  stepFor,
} from "./centralDifferences.js";
export {
  type CompareOptions,
  type Comparison,
  type ComparisonOutcome,
  compareTensors,
  DEFAULT_TOLERANCE,
  type ExcludedElements,
  type Tolerance,
  type WorstElement,
} from "./compareTensors.js";
export {
  type DiagnoseContext,
  diagnose,
  type Hint,
  type HintKind,
  type HintPattern,
  registerHintPattern,
} from "./diagnose.js";
export {
  type GradcheckOptions,
  type GradcheckReport,
  type GradcheckStatus,
  type GradientFunction,
  gradcheck,
  type InputReport,
} from "./gradcheck.js";
export { gradcheckProperty } from "./gradcheckProperty.js";
export type { TensorFunction } from "./internal/perturb.js";
export { type Gradcheckable, gradmarkMatchers } from "./matchers.js";
export { type FiniteDifferenceOptions, numericalDerivative } from "./numericalDerivative.js";
export { elementwiseVjp, numericalVjp } from "./numericalVjp.js";
