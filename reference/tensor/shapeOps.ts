import { broadcastData, broadcastShapes } from "./internal/broadcast.js";
import { checkShape, describe, formatShape, normalizeAxis, sameShape } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/**
 * `t` repeated along broadcast axes to exactly `shape` (numpy's broadcast_to, copied): sides of
 * 1 stretch and leading axes are added. Throws when t's shape cannot broadcast to `shape`.
 */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`broadcastTo: expected a Tensor, got ${describe(t)}`);
  const target = checkShape(shape, "broadcastTo");
  const result = broadcastShapes([t.shape, target], "broadcastTo");
  if (!sameShape(result, target)) {
    throw new Error(
      `broadcastTo: shape ${formatShape(t.shape)} cannot be broadcast to ${formatShape(target)}`,
    );
  }
  return new Tensor(broadcastData(t.data, t.shape, target), target);
}

/**
 * Joins tensors along an existing axis (negative counts from the end); all other sides must
 * agree. Throws for an empty list, 0-d tensors (use {@link stack}) or sides that differ.
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = checkList(tensors, "concat");
  if (first.ndim === 0)
    throw new Error("concat: 0-d tensors have no axis to join along; use stack");
  const along = normalizeAxis(axis, first.ndim, "concat");
  tensors.forEach((t, i) => {
    const agrees =
      t.ndim === first.ndim && t.shape.every((side, a) => a === along || side === first.shape[a]);
    if (!agrees) {
      throw new Error(
        `concat: tensor ${i} has shape ${formatShape(t.shape)} but tensor 0 has ${formatShape(first.shape)}; only axis ${along} may differ`,
      );
    }
  });
  const outer = first.shape.slice(0, along).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(along + 1).reduce((a, b) => a * b, 1);
  const total = tensors.reduce((t, x) => t + x.shape[along]!, 0);
  const out = new Float64Array(outer * total * inner);
  let offset = 0;
  for (const t of tensors) {
    const block = t.shape[along]! * inner;
    for (let o = 0; o < outer; o++) {
      out.set(t.data.subarray(o * block, (o + 1) * block), o * total * inner + offset);
    }
    offset += block;
  }
  const shape = [...first.shape];
  shape[along] = total;
  return new Tensor(out, shape);
}

/**
 * Stacks same-shape tensors along a new axis at position `axis` (0..ndim, negative counts from
 * the end): n tensors of shape [a, b] stack to [n, a, b] at axis 0. Throws for an empty list or
 * shapes that differ.
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = checkList(tensors, "stack");
  const along = normalizeAxis(axis, first.ndim + 1, "stack");
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(
        `stack: tensor ${i} has shape ${formatShape(t.shape)} but tensor 0 has ${formatShape(first.shape)}`,
      );
    }
  });
  const expanded = [...first.shape.slice(0, along), 1, ...first.shape.slice(along)];
  return concat(
    tensors.map((t) => new Tensor(t.data, expanded)),
    along,
  );
}

function checkList(tensors: readonly Tensor[], where: string): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new Error(`${where}: expected a non-empty array of Tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor))
      throw new Error(`${where}: entry ${i} is not a Tensor, got ${describe(t)}`);
  });
  return tensors[0]!;
}
