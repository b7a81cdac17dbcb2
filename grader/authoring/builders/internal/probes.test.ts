import { describe, expect, it } from "vitest";
import { add, mul, tensor } from "../../../../reference/tensor/index.js";
import { fixedStepProbes, makeProbes, probeInputs, probeOutputPair } from "./probes.js";

describe("probes of the student's own forward: random directions, steps scaled to the input", () => {
  it("probes move every element by far less than the distance from kinks (1e-3)", () => {
    const x = tensor([
      [3, -2.5],
      [0.001, 1],
    ]);
    const probes = makeProbes([x], 7);
    expect(probes).toHaveLength(2);
    for (const [plus, minus] of [probeInputs([x], probes).slice(0, 2)]) {
      for (let i = 0; i < x.size; i++) {
        expect(Math.abs(plus![0]!.data[i]! - x.data[i]!)).toBeLessThan(2e-5);
        expect(plus![0]!.data[i]! - x.data[i]!).toBeCloseTo(x.data[i]! - minus![0]!.data[i]!, 12);
      }
    }
  });

  it("probes that step entry by entry move each entry by at most 6.1e-6 * max(1, |x|)", () => {
    const x = tensor([750, -0.5, 2, -780]);
    const probes = makeProbes([x], 3, undefined, true);
    const [plus, minus] = probeInputs([x], probes.slice(0, 1));
    for (let i = 0; i < x.size; i++) {
      const moved = plus![0]!.data[i]! - x.data[i]!;
      expect(Math.abs(moved)).toBeLessThanOrEqual(6.1e-6 * Math.max(1, Math.abs(x.data[i]!)));
      expect(moved).toBeCloseTo(x.data[i]! - minus![0]!.data[i]!, 12);
    }
  });

  it("relative probes keep probabilities of 1e-300 positive, and unit probes move an entry of 800 by at most 6.1e-6", () => {
    const P = tensor([[1e-300, 1]]);
    const probes = makeProbes([P], 5, undefined, "relative");
    for (const [moved] of probeInputs([P], probes)) {
      expect(moved!.data[0]!).toBeGreaterThan(0);
      expect(Math.abs(moved!.data[0]! - 1e-300)).toBeLessThanOrEqual(6.1e-6 * 1e-300);
    }
    for (const [moved] of probeInputs(
      [tensor([800, -3])],
      makeProbes([tensor([800, -3])], 5, undefined, "unit"),
    )) {
      expect(Math.abs(moved!.data[0]! - 800)).toBeLessThanOrEqual(6.1e-6);
    }
  });

  it("the same seed gives the same probes", () => {
    const inputs = [tensor([0.5, -1.5, 2]), tensor([[1, 2]])];
    for (const step of [false, true, "unit", "relative"] as const) {
      const first = probeInputs(inputs, makeProbes(inputs, 11, undefined, step));
      const again = probeInputs(inputs, makeProbes(inputs, 11, undefined, step));
      expect(again.map((point) => point.map((t) => [...t.data]))).toEqual(
        first.map((point) => point.map((t) => [...t.data])),
      );
    }
  });
});

describe("probes along given directions with one fixed step (einsum's)", () => {
  it("move input i alone, to exactly x + h v and x - h v (as x + v·h and x + v·(-h) compute it)", () => {
    const operands = [tensor([0.3, -1.25, 2]), tensor([[0.5, -0.75]])];
    const directions = [tensor([1, -0.5, 0]), tensor([[-0.25, 0.9]])];
    const points = probeInputs(operands, fixedStepProbes(directions, 1e-2));
    expect(points).toHaveLength(4);
    for (const [i, direction] of directions.entries()) {
      for (const [s, h] of [1e-2, -1e-2].entries()) {
        const point = points[2 * i + s]!;
        expect([...point[i]!.data]).toEqual([...add(operands[i]!, mul(direction, h)).data]);
        expect(point[i]!.shape).toEqual(operands[i]!.shape);
        expect(point[1 - i]).toBe(operands[1 - i]);
      }
    }
  });

  it("probeOutputPair reads a probe's two outputs in probeInputs' order, nothing from a non-array", () => {
    expect(probeOutputPair(["a+", "a-", "b+", "b-"], 1)).toEqual(["b+", "b-"]);
    expect(probeOutputPair(["a+"], 0)).toEqual(["a+", undefined]);
    expect(probeOutputPair(undefined, 0)).toEqual([undefined, undefined]);
  });
});
