import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossEntropy } from "../../../../../reference/forward/layers.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import { tinyCrossEntropyCases } from "./layerCases.js";

describe("problem 3: issue 14, softmax rows near 800 and tiny label probabilities", () => {
  it("tiny CrossEntropy cases put 1e-13 or less on row 0's label, rows summing to 1", () => {
    for (const c of fc.sample(tinyCrossEntropyCases, { numRuns: 200, seed: 9 })) {
      const P = c.inputs[0]!;
      const labels = c.constants![0] as Tensor;
      const [batch, classes] = P.shape as [number, number];
      const label = [...Array(classes).keys()].find((k) => labels.data[k] === 1)!;
      expect(P.data[label]!).toBeGreaterThan(0);
      expect(P.data[label]!).toBeLessThanOrEqual(1e-13);
      for (let b = 0; b < batch; b++) {
        const row = Array.from(P.data.slice(b * classes, (b + 1) * classes));
        expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
        expect(row.every((v) => v >= 0)).toBe(true);
      }
      expect(Number.isFinite(crossEntropy(P, labels).item())).toBe(true);
    }
  });
});
