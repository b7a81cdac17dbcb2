/**
 * Problem 6: training a classifier (staff solution).
 */
import { argmax, mul, sub, type Tensor } from "gradmark/tensor";
import type { Layer } from "./layers";

/**
 * parameter <- parameter - lr * grad for every layer that has both, as a NEW tensor: the old
 * one may be the caller's own W.
 */
export function sgdStep(layers: readonly Layer[], lr: number): void {
  for (const layer of layers) {
    if (layer.parameter && layer.grad) layer.parameter = sub(layer.parameter, mul(lr, layer.grad));
  }
}

/** The fraction of rows whose arg-max (first on ties) is the labelled class. */
export function accuracy(probabilities: Tensor, labels: Tensor): number {
  const same =
    probabilities.ndim === 2 &&
    labels.ndim === 2 &&
    probabilities.shape[0] === labels.shape[0] &&
    probabilities.shape[1] === labels.shape[1];
  if (!same || probabilities.shape[0] === 0) {
    throw new Error(
      `accuracy: expected probabilities and labels of one shape [B, C] with B > 0, got [${probabilities.shape.join(", ")}] and [${labels.shape.join(", ")}]`,
    );
  }
  const predicted = argmax(probabilities, 1).data;
  const actual = argmax(labels, 1).data;
  let hits = 0;
  for (let b = 0; b < predicted.length; b++) if (predicted[b] === actual[b]) hits++;
  return hits / predicted.length;
}
