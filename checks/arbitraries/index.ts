/**
 * fast-check arbitraries for gradient checks: shapes, tensors, contraction pairs, einsum cases,
 * one-hot labels, layer stacks and computation graphs. Every builder validates its constraints
 * when called (throwing an Error that names the field and the value) and builds on fast-check's
 * own arbitraries, so everything shrinks: towards fewer dimensions, sides of 1 and simple values.
 */

export {
  type ContractionPair,
  type ContractionPairConstraints,
  contractionPairArb,
} from "./contractionPair.js";
export {
  type DagConstraints,
  type DagNode,
  type DagOp,
  type DagSpec,
  dagArb,
} from "./dag.js";
export { type EinsumCase, type EinsumCaseConstraints, einsumCaseArb } from "./einsumCase.js";
export { DEFAULT_KINK_MARGIN, type ValueConstraints } from "./internal/values.js";
export {
  type Activation,
  type LayerSpec,
  type LayerStackConstraints,
  type LayerStackSpec,
  layerStackArb,
} from "./layerStack.js";
export { type OneHotLabelsConstraints, oneHotLabelsArb } from "./oneHotLabels.js";
export { type ShapeConstraints, shapeArb } from "./shape.js";
export { type TensorConstraints, tensorArb } from "./tensor.js";
export { type TensorsConstraints, tensorsArb } from "./tensors.js";
