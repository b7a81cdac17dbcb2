/**
 * Pieces of the cases of problems 3 and 4 (and 6's batch sizes): batch sizes against widths and
 * entries of large magnitude (downstream gradients and probe seeds are the builders' caseParts).
 */
import fc from "fast-check";
import { Tensor } from "../../../../../reference/tensor/index.js";

/** Batch sizes and widths: a batch of 1, a batch equal to a width, or one differing from all. */
export function batchAndWidths(widths: number): fc.Arbitrary<{ batch: number; widths: number[] }> {
  return fc
    .tuple(
      fc.constantFrom("one", "equal", "differ"),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: widths, maxLength: widths }),
      fc.integer({ min: 2, max: 5 }),
      fc.nat(widths - 1),
    )
    .map(([policy, ws, drawn, pick]) => {
      if (policy === "one") return { batch: 1, widths: ws };
      if (policy === "equal") {
        const batch = Math.max(2, ws[pick]!);
        ws[pick] = batch;
        return { batch, widths: ws };
      }
      let batch = drawn;
      while (ws.includes(batch)) batch = batch >= 5 ? 2 : batch + 1;
      return { batch, widths: ws };
    });
}

/**
 * `x` with about half its entries replaced by values of magnitude `min` to `max`, either sign,
 * and one entry always large and positive (where an element-wise exp overflows first).
 */
export function withLargeEntries(x: Tensor, min: number, max: number): fc.Arbitrary<Tensor> {
  return fc
    .tuple(
      fc.nat({ max: x.size - 1 }),
      fc.array(fc.tuple(fc.boolean(), fc.double({ min, max, noNaN: true }), fc.boolean()), {
        minLength: x.size,
        maxLength: x.size,
      }),
    )
    .map(([alwaysLarge, draws]) => {
      const data = x.data.slice();
      draws.forEach(([large, magnitude, negative], k) => {
        if (k === alwaysLarge) data[k] = magnitude;
        else if (large) data[k] = negative ? -magnitude : magnitude;
      });
      return new Tensor(data, x.shape);
    });
}
