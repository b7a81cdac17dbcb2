/** Rearrangements of a result that `diagnose` tries against the expected one. */
import { Tensor } from "../../reference/tensor/index.js";

/** `t` with its last two axes swapped, or null when they differ in size. */
export function swapLastTwo(t: Tensor): Tensor | null {
  const n = t.ndim;
  if (t.shape[n - 1] !== t.shape[n - 2]) return null;
  const perm = t.shape.map((_, axis) => axis);
  perm[n - 1] = n - 2;
  perm[n - 2] = n - 1;
  return t.transpose(perm);
}

/** `t` with the order of its entries along `axis` reversed. */
export function reverseAxis(t: Tensor, axis: number): Tensor {
  const side = t.shape[axis]!;
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = t.size / (side * inner);
  const data = new Float64Array(t.size);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < side; k++) {
      const from = (o * side + k) * inner;
      const to = (o * side + (side - 1 - k)) * inner;
      for (let i = 0; i < inner; i++) data[to + i] = t.data[from + i]!;
    }
  }
  return new Tensor(data, t.shape);
}

/** Moves the first `count` axes to the end: reads an output-first tensor in input-first order. */
export function moveAxes(t: Tensor, count: number): Tensor {
  const perm = [
    ...t.shape.map((_, axis) => axis).slice(count),
    ...t.shape.map((_, axis) => axis).slice(0, count),
  ];
  return t.transpose(perm);
}
