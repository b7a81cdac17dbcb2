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
import type { LayerInfo } from "./layerCase.js";
import {
  biasCases,
  crossEntropyCases,
  elementwiseCases,
  linearCases,
  sigmoidCases,
  softmaxCases,
  valueTensor,
} from "./layerCases.js";

/**
 * Every layer of problem 3 in grading order, with its reference forward, its cases and the
 * points of its five checks.
 */
export const LAYER_INFOS: LayerInfo[] = [
  {
    name: "Linear",
    names: ["the gradient returned by Linear.backward (D_X[Z])", "Linear.grad (D_W[Z])"],
    reference: () => linear,
    cases: linearCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "Bias",
    names: ["the gradient returned by Bias.backward (D_X[Z])", "Bias.grad (D_b[Z])"],
    reference: () => bias,
    cases: biasCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "ReLU",
    names: ["the gradient returned by ReLU.backward"],
    reference: () => relu,
    // Inputs at least 1e-3 away from the kink at 0, far more than the finite-difference step.
    cases: elementwiseCases("ReLU", { kinks: [0] }),
    againInput: (shape) => tensorArb({ shape, kinks: [0] }),
    points: { forward: 0.5, backward: 1.5, consistent: 0.5, shapes: 0.25, immutable: 0.25 },
  },
  {
    name: "Sigmoid",
    names: ["the gradient returned by Sigmoid.backward"],
    reference: () => sigmoid,
    cases: sigmoidCases,
    againInput: (shape) => tensorArb({ shape, min: -5, max: 5, specialValues: true }),
    points: { forward: 0.5, backward: 1.5, consistent: 0.5, shapes: 0.25, immutable: 0.25 },
  },
  {
    name: "SoftMax",
    names: ["the gradient returned by SoftMax.backward"],
    reference: () => softmax,
    cases: softmaxCases,
    againInput: (shape) => valueTensor(shape),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
  {
    name: "CrossEntropy",
    names: ["the gradient returned by CrossEntropy.backward (D_P[Z])"],
    reference: (c) => (P: Tensor) => crossEntropy(P, c.labels!),
    cases: crossEntropyCases,
    againInput: (shape) => tensorArb({ shape, min: -2, max: 2 }).map(softmax),
    points: { forward: 1, backward: 2, consistent: 0.5, shapes: 0.5, immutable: 0.5 },
  },
];
