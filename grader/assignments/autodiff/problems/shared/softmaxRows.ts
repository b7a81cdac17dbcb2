/**
 * Softmax inputs with rows near ±800 (issue 14), shared by problem 2's row Jacobians and problem
 * 3's SoftMax layer, and the row shift under which their expected values are computed.
 */
import fc from "fast-check";
import { tensorArb } from "../../../../../checks/index.js";
import { Tensor } from "../../../../../reference/tensor/index.js";

/** X with each row's maximum subtracted (the last axis is the row). */
export function shiftRows(X: Tensor): Tensor {
  const c = X.shape[X.ndim - 1] ?? 1;
  const data = X.data.slice();
  for (let start = 0; start < data.length; start += c) {
    let m = Number.NEGATIVE_INFINITY;
    for (let k = start; k < start + c; k++) m = Math.max(m, data[k]!);
    for (let k = start; k < start + c; k++) data[k] = data[k]! - m;
  }
  return new Tensor(data, X.shape);
}

/**
 * X [B, C] with rows of entries of magnitude up to about 800 (HOMEWORK): every row is ordinary
 * (values in [-3, 3]), "level" (750 to 800, or -800 to -750, plus offsets in [-3, 3]: ordinary
 * probabilities) or "spread" (each entry ordinary or ±720 to ±800); one row, always, is level or
 * spread with an entry of at least 720. There e^x overflows to Infinity (above 709.78) or every
 * e^x of the row underflows to 0 (below -745.1), so a softmax that does not subtract the row
 * maximum returns NaN.
 * Softmax only sees the differences within a row, so the expected values and gradients are those
 * at X minus each row's maximum (finite differences there have ordinary steps and are exact
 * where the probabilities underflow to 0); the self-consistency probes step by at most 6e-6.
 */
export const extremeSoftmaxInputs = (
  rowsArb: fc.Arbitrary<number>,
  colsArb: fc.Arbitrary<number>,
) =>
  fc.tuple(rowsArb, colsArb).chain(([batch, c]) =>
    fc
      .record({
        base: tensorArb({ shape: [batch, c], specialValues: true }),
        forced: fc.nat({ max: batch - 1 }),
        rows: fc.array(
          fc.record({
            kind: fc.constantFrom("ordinary", "level", "spread"),
            level: fc.double({ min: 750, max: 800, noNaN: true }),
            negative: fc.boolean(),
            large: fc.array(
              fc.tuple(fc.boolean(), fc.double({ min: 720, max: 800, noNaN: true }), fc.boolean()),
              { minLength: c, maxLength: c },
            ),
            alwaysLarge: fc.nat({ max: c - 1 }),
          }),
          { minLength: batch, maxLength: batch },
        ),
      })
      .map(({ base, forced, rows }) => {
        const data = base.data.slice();
        rows.forEach((row, b) => {
          const kind = b === forced && row.kind === "ordinary" ? "level" : row.kind;
          for (let k = 0; k < c; k++) {
            const at = b * c + k;
            if (kind === "level") data[at] = (row.negative ? -row.level : row.level) + data[at]!;
            if (kind === "spread") {
              const [large, magnitude, negative] = row.large[k]!;
              if (b === forced && k === row.alwaysLarge) data[at] = magnitude;
              else if (large) data[at] = negative ? -magnitude : magnitude;
            }
          }
        });
        return new Tensor(data, base.shape);
      }),
  );
