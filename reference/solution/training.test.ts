import fc from "fast-check";
import { type Tensor, tensor } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import {
  assertClose,
  assertUnchanged,
  oneHotArb,
  smooth,
  tensorArb,
} from "../../testing/solutionSupport";
import { trainClassifier } from "../forward/trainClassifier";
import * as layers from "./layers";
import { Bias, type Layer, Linear, ReLU } from "./layers";
import * as training from "./training";
import { accuracy, sgdStep } from "./training";

describe("sgdStep", () => {
  it("matches the starter's example and leaves the old parameter alone", () => {
    const W = tensor([1, 2]);
    const layer: Layer = new Bias(W);
    layer.grad = tensor([10, -10]);
    sgdStep([layer], 0.1);
    assertClose(layer.parameter!, tensor([0, 3]), "parameter", { atol: 1e-12 });
    expect(Array.from(W.data)).toEqual([1, 2]);
    expect(layer.parameter).not.toBe(W);
  });

  it("updates every layer with a parameter and a grad, and skips the others", () => {
    const cases = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
      .chain(([n, m]) =>
        fc.tuple(
          tensorArb([n, m]),
          tensorArb([n, m], smooth),
          tensorArb([m]),
          fc.double({ min: 0.01, max: 1, noNaN: true }),
        ),
      );
    fc.assert(
      fc.property(cases, ([W, dW, b, lr]) => {
        const linear = new Linear(W);
        linear.grad = dW;
        const untouched = new Bias(b); // grad still null
        const relu = new ReLU();
        assertUnchanged([W, dW, b], () => sgdStep([linear, untouched, relu], lr));
        for (let i = 0; i < W.size; i++) {
          expect(linear.parameter.data[i]).toBeCloseTo(W.data[i]! - lr * dW.data[i]!, 12);
        }
        expect(untouched.parameter).toBe(b);
      }),
      { seed: 601, numRuns: 50 },
    );
  });
});

describe("accuracy", () => {
  it("matches the starter's example", () => {
    expect(
      accuracy(
        tensor([
          [0.1, 0.9],
          [0.8, 0.2],
        ]),
        tensor([
          [0, 1],
          [0, 1],
        ]),
      ),
    ).toBe(0.5);
  });

  it("is the fraction of rows whose arg-max is the label", () => {
    const cases = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 4 }))
      .chain(([B, C]) => fc.tuple(tensorArb([B, C], smooth), oneHotArb(B, C)));
    fc.assert(
      fc.property(cases, ([P, Y]) => {
        const [B, C] = P.shape as [number, number];
        const argmax = (t: Tensor, b: number) => {
          let best = 0;
          for (let c = 1; c < C; c++) if (t.get(b, c) > t.get(b, best)) best = c;
          return best;
        };
        let hits = 0;
        for (let b = 0; b < B; b++) if (argmax(P, b) === argmax(Y, b)) hits++;
        expect(assertUnchanged([P, Y], () => accuracy(P, Y))).toBe(hits / B);
      }),
      { seed: 602, numRuns: 80 },
    );
  });

  it("rejects mismatched shapes", () => {
    expect(() => accuracy(tensor([[1, 0]]), tensor([[1, 0, 0]]))).toThrow(/one shape/);
  });
});

describe("training the classifier with the solution", () => {
  it("reaches a high held-out accuracy (seed 1: 0.98 with the default options)", () => {
    const result = trainClassifier({ ...layers, ...training }, { seed: 1 });
    expect(result.accuracy).toBe(result.driverAccuracy);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.losses).toHaveLength(60);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]! / 3);
  });
});
