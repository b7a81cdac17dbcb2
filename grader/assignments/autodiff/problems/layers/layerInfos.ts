/**
 * Every layer of problem 3 in grading order, as the public builder's table: its reference
 * forward, its cases, the input of the second round on the same object and the points of its
 * five checks.
 */
import { tensorArb } from "../../../../../checks/index.js";
import {
  bias,
  crossEntropy,
  linear,
  relu,
  sigmoid,
  softmax,
} from "../../../../../reference/forward/layers.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import { type LayerSpec, layerChecks } from "../../../../authoring/builders/layerChecks.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import { expectedLayerGradient, type ProblemLayerCase } from "./layerCase.js";
import {
  biasCases,
  crossEntropyCases,
  elementwiseCases,
  linearCases,
  sigmoidCases,
  softmaxCases,
  valueTensor,
} from "./layerCases.js";

/** The points of a layer with a parameter, and of one without. */
const WITH_PARAMETER = { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 };
const ELEMENTWISE = { forward: 0.5, backward: 1.5, consistent: 0.5, shapes: 0.25, immutable: 0.25 };

/** What every layer of problem 3 shares: the module, the ids, how expected gradients are taken. */
const layer = (spec: Omit<LayerSpec<ProblemLayerCase>, "module" | "id" | "expectedGradient">) =>
  layerChecks<ProblemLayerCase>({
    module: "layers",
    id: `3.${spec.exportName}`,
    expectedGradient: (c, inputs, downstream, i) =>
      expectedLayerGradient(
        (...xs) => spec.reference(...xs, ...(c.constants ?? [])),
        c,
        inputs,
        downstream,
        i,
      ),
    ...spec,
  });

/** The checks of problem 3's layers, layer by layer (five each). */
export const LAYER_CHECKS: CheckDefinition<ProblemLayerCase>[] = [
  ...layer({
    exportName: "Linear",
    reference: linear,
    parameters: ["W"],
    cases: linearCases,
    secondInput: (shape) => valueTensor(shape),
    points: WITH_PARAMETER,
  }),
  ...layer({
    exportName: "Bias",
    reference: bias,
    parameters: ["b"],
    cases: biasCases,
    secondInput: (shape) => valueTensor(shape),
    points: WITH_PARAMETER,
  }),
  ...layer({
    exportName: "ReLU",
    reference: relu,
    gradientNames: ["the gradient returned by ReLU.backward"],
    // Inputs at least 1e-3 away from the kink at 0, far more than the finite-difference step.
    cases: elementwiseCases({ kinks: [0] }),
    secondInput: (shape) => tensorArb({ shape, kinks: [0] }),
    points: ELEMENTWISE,
  }),
  ...layer({
    exportName: "Sigmoid",
    reference: sigmoid,
    gradientNames: ["the gradient returned by Sigmoid.backward"],
    cases: sigmoidCases,
    secondInput: (shape) => tensorArb({ shape, min: -5, max: 5, specialValues: true }),
    points: ELEMENTWISE,
  }),
  ...layer({
    exportName: "SoftMax",
    reference: softmax,
    gradientNames: ["the gradient returned by SoftMax.backward"],
    cases: softmaxCases,
    secondInput: (shape) => valueTensor(shape),
    points: WITH_PARAMETER,
  }),
  ...layer({
    exportName: "CrossEntropy",
    reference: (P: Tensor, labels: Tensor) => crossEntropy(P, labels),
    inputName: "P",
    constants: ["labels"],
    cases: crossEntropyCases,
    secondInput: (shape) => tensorArb({ shape, min: -2, max: 2 }).map(softmax),
    points: WITH_PARAMETER,
  }),
];
