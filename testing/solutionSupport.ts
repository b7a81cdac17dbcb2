/**
 * Test-only helpers shared by the solution's tests (not part of the submission: nothing in the
 * six modules imports this file). fast-check arbitraries for shapes and tensors, closeness with
 * a readable message, and an immutability check.
 */
import fc from "fast-check";
import { numericalVjp } from "gradmark/checks";
import { type Tensor, tensor } from "gradmark/tensor";
import { expect } from "vitest";
import type { Operation } from "../reference/solution/autograd";

export interface ShapeOptions {
  minDims?: number;
  maxDims?: number;
  maxSide?: number;
}

/** Shapes with sides from 1 to maxSide. */
export function shapeArb({ minDims = 0, maxDims = 3, maxSide = 3 }: ShapeOptions = {}) {
  return fc.array(fc.integer({ min: 1, max: maxSide }), { minLength: minDims, maxLength: maxDims });
}

/** Plain values in [-2, 2]. */
export const smooth = fc.double({ min: -2, max: 2, noNaN: true });

/** Values in [-2, 2] with many exact 0s, 1s and -1s (products and contractions are smooth there). */
export const withSpecials = fc.oneof(
  { arbitrary: smooth, weight: 3 },
  { arbitrary: fc.constantFrom(0, 1, -1), weight: 1 },
);

/** Values with |x| in [margin, 2]: away from the kink of ReLU at 0. */
export function awayFromZero(margin = 0.05) {
  return fc
    .tuple(fc.boolean(), fc.double({ min: margin, max: 2, noNaN: true }))
    .map(([negative, v]) => (negative ? -v : v));
}

/** Positive values in [low, high]. */
export function positive(low = 0.5, high = 2) {
  return fc.double({ min: low, max: high, noNaN: true });
}

/** A tensor of the given shape with entries from `values`. */
export function tensorArb(shape: readonly number[], values: fc.Arbitrary<number> = withSpecials) {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc.array(values, { minLength: size, maxLength: size }).map((v) => tensor(v, shape));
}

/** A tensor of a random shape. */
export function anyTensorArb(options: ShapeOptions = {}, values?: fc.Arbitrary<number>) {
  return shapeArb(options).chain((shape) => tensorArb(shape, values));
}

/**
 * Values whose entries are pairwise at least `gap` apart (no ties, even after a finite-difference
 * step): distinct multiples of `gap`, plus a small shared offset.
 */
export function distinctValues(count: number, gap = 0.1) {
  return fc
    .uniqueArray(fc.integer({ min: -30, max: 30 }), { minLength: count, maxLength: count })
    .map((ints) => ints.map((i) => i * gap + 0.013));
}

/** Throws a readable error unless `actual` has `expected`'s shape and is close entry-wise. */
export function assertClose(
  actual: Tensor,
  expected: Tensor,
  what = "tensor",
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  const shapeA = `[${actual.shape.join(", ")}]`;
  const shapeE = `[${expected.shape.join(", ")}]`;
  if (shapeA !== shapeE) throw new Error(`${what}: shape ${shapeA}, expected ${shapeE}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.size; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst === -1 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst !== -1) {
    throw new Error(
      `${what}: entry ${worst} is ${actual.data[worst]}, expected ${expected.data[worst]} (shape ${shapeE})\n` +
        `actual:   ${Array.from(actual.data).join(", ")}\nexpected: ${Array.from(expected.data).join(", ")}`,
    );
  }
}

/** Runs `fn` and throws if it changed the data of any of `tensors`; returns fn's result. */
export function assertUnchanged<R>(tensors: readonly Tensor[], fn: () => R): R {
  const before = tensors.map((t) => ({ shape: [...t.shape], data: t.data.slice() }));
  const result = fn();
  tensors.forEach((t, i) => {
    const saved = before[i]!;
    const same =
      t.shape.length === saved.shape.length &&
      t.shape.every((side, axis) => side === saved.shape[axis]) &&
      t.data.length === saved.data.length &&
      t.data.every((v, j) => Object.is(v, saved.data[j]));
    if (!same) throw new Error(`input tensor ${i} was modified`);
  });
  return result;
}

/** Every entry finite. */
export function assertFinite(t: Tensor, what = "tensor"): void {
  const bad = t.data.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) throw new Error(`${what}: entry ${bad} is ${t.data[bad]}`);
}

/** One-hot labels [B, C] with a random class per row. */
export function oneHotArb(B: number, C: number) {
  return fc
    .array(fc.integer({ min: 0, max: C - 1 }), { minLength: B, maxLength: B })
    .map((classes) => {
      const out = new Float64Array(B * C);
      classes.forEach((c, b) => {
        out[b * C + c] = 1;
      });
      return tensor(out, [B, C]);
    });
}

/**
 * forwardCall leaves its inputs alone, and backwardCall (with a random downstream gradient)
 * agrees with central differences of forwardCall for every input, with the input's shape.
 */
export function checkOperation(make: () => Operation, inputs: Tensor[], downstream: Tensor): void {
  const op = make();
  const output = assertUnchanged(inputs, () => op.forwardCall(...inputs));
  expect(output.shape).toEqual(downstream.shape);
  const grads = assertUnchanged([...inputs, downstream], () => op.backwardCall(downstream));
  expect(grads).toHaveLength(inputs.length);
  inputs.forEach((_, i) => {
    assertFinite(grads[i]!, `gradient ${i}`);
    const expected = numericalVjp((...xs) => make().forwardCall(...xs), inputs, downstream, i);
    assertClose(grads[i]!, expected, `gradient ${i}`);
  });
}
