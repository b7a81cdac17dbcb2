import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FloatPack, unpackFloats } from "./FloatPack.js";

describe("FloatPack", () => {
  it("gives back every pushed array from where push said it starts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double(), { maxLength: 300 }), { maxLength: 20 }),
        (arrays) => {
          const pack = new FloatPack();
          const places = arrays.map((a) => pack.push(Float64Array.from(a)));
          const floats = pack.finish();
          expect(floats.length).toBe(arrays.reduce((t, a) => t + a.length, 0));
          arrays.forEach((a, i) => {
            expect([...unpackFloats(floats, places[i], a.length)!]).toEqual(a);
          });
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("unpacks a copy, and nothing for a place outside the floats or not an integer", () => {
    const floats = Float64Array.from([1, 2, 3]);
    const copy = unpackFloats(floats, 1, 2)!;
    copy[0] = 9;
    expect([...floats]).toEqual([1, 2, 3]);
    for (const [at, size] of [
      [2, 2],
      [-1, 1],
      [0.5, 1],
      [0, Number.POSITIVE_INFINITY],
      ["0", 1],
      [0, null],
    ]) {
      expect(unpackFloats(floats, at, size), `${at}, ${size}`).toBeNull();
    }
    expect([...unpackFloats(floats, 3, 0)!]).toEqual([]);
  });
});
