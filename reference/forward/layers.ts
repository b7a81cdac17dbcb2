/**
 * Public reference forwards of problem 3 (HOMEWORK.md, "Problem 3: layers"): what every layer
 * computes, written as plainly as the formulas. The grader compares a submission's forwards
 * with these and takes expected gradients from finite differences of them; no backward lives
 * here.
 */
import { add, map, matmul, scalar, type Tensor } from "../tensor/index.js";
import { softmax } from "./softmax.js";

export { softmax };

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** X `[B, N]`, W `[N, M]` -> X W `[B, M]` (right multiplication). */
export function linear(X: Tensor, W: Tensor): Tensor {
  if (X.ndim !== 2 || W.ndim !== 2 || X.shape[1] !== W.shape[0]) {
    throw new Error(
      `linear: expected X [B, N] and W [N, M], got ${show(X.shape)} and ${show(W.shape)}`,
    );
  }
  return matmul(X, W);
}

/** X `[B, M]`, b `[M]` -> X + b, b added to every row. */
export function bias(X: Tensor, b: Tensor): Tensor {
  if (X.ndim !== 2 || b.ndim !== 1 || X.shape[1] !== b.shape[0]) {
    throw new Error(`bias: expected X [B, M] and b [M], got ${show(X.shape)} and ${show(b.shape)}`);
  }
  return add(X, b);
}

/** max(x, 0) element-wise, any shape. */
export function relu(x: Tensor): Tensor {
  return map(x, (v) => Math.max(v, 0));
}

/** 1 / (1 + e^-x) element-wise, any shape (in a form that never overflows). */
export function sigmoid(x: Tensor): Tensor {
  return map(x, (v) => {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  });
}

/**
 * P `[B, C]`, one-hot labels `[B, C]` -> the mean over the rows b of -log P[b, y_b], shape `[]`
 * (y_b is the column of row b's label). Only labelled entries are read.
 */
export function crossEntropy(P: Tensor, labels: Tensor): Tensor {
  if (
    P.ndim !== 2 ||
    labels.ndim !== 2 ||
    P.shape[0] !== labels.shape[0] ||
    P.shape[1] !== labels.shape[1]
  ) {
    throw new Error(
      `crossEntropy: expected P and labels of one shape [B, C], got ${show(P.shape)} and ${show(labels.shape)}`,
    );
  }
  const rows = P.shape[0]!;
  let total = 0;
  for (let i = 0; i < P.size; i++) {
    const y = labels.data[i]!;
    if (y !== 0) total -= y * Math.log(P.data[i]!);
  }
  return scalar(total / rows);
}

/** One layer of a network as plain data (the shape of `LayerSpec` in gradmark/checks). */
export type ReferenceLayer =
  | { kind: "linear"; weights: Tensor }
  | { kind: "bias"; bias: Tensor }
  | { kind: "relu" }
  | { kind: "sigmoid" }
  | { kind: "softmax" }
  | { kind: "crossEntropy"; labels: Tensor };

/** One layer's forward. */
export function applyLayer(layer: ReferenceLayer, input: Tensor): Tensor {
  switch (layer.kind) {
    case "linear":
      return linear(input, layer.weights);
    case "bias":
      return bias(input, layer.bias);
    case "relu":
      return relu(input);
    case "sigmoid":
      return sigmoid(input);
    case "softmax":
      return softmax(input);
    case "crossEntropy":
      return crossEntropy(input, layer.labels);
  }
}

/** The layers applied in order (what `forwardLayers` returns). */
export function applyLayers(layers: readonly ReferenceLayer[], input: Tensor): Tensor {
  return layers.reduce((x, layer) => applyLayer(layer, x), input);
}
