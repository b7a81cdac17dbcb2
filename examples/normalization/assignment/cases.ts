import fc from "fast-check";
import { allOf, expectTensor, expectUnchanged, type JudgeContext, type Verdict } from "gradmark";
import { numericalVjp, tensorArb } from "gradmark/checks";
import type { Tensor } from "gradmark/tensor";
import type { BatchNormPayload } from "./drivers.ts";
import { batchNormForward } from "./reference.js";

export interface Case {
  x: Tensor;
  g: Tensor;
}

/** The variance of every column of x is at least `least` (no feature that is nearly constant). */
function spread(x: Tensor, least: number): boolean {
  const [rows, cols] = x.shape as [number, number];
  for (let j = 0; j < cols; j++) {
    let total = 0;
    for (let i = 0; i < rows; i++) total += x.data[i * cols + j]!;
    const mu = total / rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) squares += (x.data[i * cols + j]! - mu) ** 2;
    if (squares / rows < least) return false;
  }
  return true;
}

/** x of shape [B, F] with B in [minB, maxB] and every column spread out, and a downstream g. */
export function batches(minB: number, maxB: number, maxF: number): fc.Arbitrary<Case> {
  return fc
    .tuple(fc.integer({ min: minB, max: maxB }), fc.integer({ min: 1, max: maxF }))
    .chain(([b, f]) =>
      fc.record({
        x: tensorArb({ shape: [b, f] }).filter((x) => spread(x, 0.05)),
        g: tensorArb({ shape: [b, f] }),
      }),
    );
}

type Result = { out?: unknown; grad?: unknown; xAfter?: unknown; gAfter?: unknown };

export const forwardPayload = ({ x }: Case): BatchNormPayload => ({ mode: "forward", x });
export const backwardPayload = ({ x, g }: Case): BatchNormPayload => ({ mode: "backward", x, g });

export function judgeForward({ x }: Case, result: unknown, ctx: JudgeContext): Verdict {
  return expectTensor((result as Result).out, batchNormForward(x), {
    name: "BatchNorm.forward(x)",
    tolerance: ctx.tolerance,
  });
}

/** backward(g) against finite differences of the reference forward, contracted with g. */
export function judgeBackward({ x, g }: Case, result: unknown, ctx: JudgeContext): Verdict {
  return expectTensor((result as Result).grad, numericalVjp(batchNormForward, [x], g), {
    name: "BatchNorm.backward(g)",
    tolerance: ctx.tolerance,
  });
}

export function judgeUnchanged({ x, g }: Case, result: unknown): Verdict {
  const r = result as Result;
  return allOf(
    () => expectUnchanged(x, r.xAfter, "x (the input of forward)"),
    () => expectUnchanged(g, r.gAfter, "g (the input of backward)"),
  );
}
