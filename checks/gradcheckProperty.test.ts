import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { greater, mul, Tensor } from "../reference/tensor/index.js";
import { gradcheckProperty } from "./gradcheckProperty.js";

const vectors = (min: number, max: number) =>
  fc
    .array(fc.double({ min, max, noNaN: true }), { minLength: 1, maxLength: 6 })
    .map((values) => [new Tensor(Float64Array.from(values), [values.length])]);

const relu = (x: Tensor) => mul(x, greater(x, 0));

describe("gradcheckProperty", () => {
  it("re-draws inputs next to a kink instead of failing a correct gradient", () => {
    // Values within 1e-4 of ReLU's kink make some draws inconclusive; none may fail.
    const property = gradcheckProperty(
      (x) => relu(x!),
      (g, [x]) => [mul(g, greater(x!, 0))],
      vectors(-1e-4, 1e-4),
    );
    const result = fc.check(property, { seed: 42, numRuns: 50, maxSkipsPerRun: 1000 });
    expect(result.failed).toBe(false);
    expect(result.numSkips).toBeGreaterThan(0);
    // A few thousand skipped draws: 2 to 5 s, past vitest's 5 s default on a loaded machine.
  }, 60_000);

  it("fails a wrong gradient and shrinks to a small input", () => {
    const property = gradcheckProperty(
      (x) => mul(x!, x!),
      (g, [x]) => [mul(mul(g, x!), x!.size >= 3 ? 3 : 2)],
      vectors(-2, 2),
    );
    const result = fc.check(property, { seed: 7, numRuns: 100 });
    expect(result.failed).toBe(true);
    const [inputs] = result.counterexample!;
    expect(inputs[0]!.shape).toEqual([3]);
    expect(String(result.errorInstance)).toContain("hint: the result is off by a constant factor");
  });
});
