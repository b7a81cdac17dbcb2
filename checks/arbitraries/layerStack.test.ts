import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, matmul, type Tensor } from "../../reference/tensor/index.js";
import { type LayerStackSpec, layerStackArb } from "./layerStack.js";

/** Checks that the shapes chain, and returns every ReLU input, computed with the kit. */
function walk(spec: LayerStackSpec): Tensor[] {
  const { batch, widths, layers, input } = spec;
  expect(input.shape).toEqual([batch, widths[0]]);
  let width = widths[0]!;
  let linear = 0;
  let h = input;
  const reluInputs: Tensor[] = [];
  for (const layer of layers) {
    switch (layer.kind) {
      case "linear":
        expect(layer.weights.shape).toEqual([width, widths[linear + 1]]);
        width = layer.weights.shape[1]!;
        linear++;
        h = matmul(h, layer.weights);
        break;
      case "bias":
        expect(layer.bias.shape).toEqual([width]);
        h = add(h, layer.bias);
        break;
      case "relu":
        reluInputs.push(h);
        h = h.clone();
        h.data.forEach((v, i) => {
          h.data[i] = Math.max(v, 0);
        });
        break;
      case "crossEntropy": {
        expect(layer.labels.shape).toEqual([batch, width]);
        for (let row = 0; row < batch; row++) {
          const values = Array.from(layer.labels.data.subarray(row * width, (row + 1) * width));
          expect(values.filter((v) => v === 1)).toHaveLength(1);
          expect(values.filter((v) => v === 0)).toHaveLength(width - 1);
        }
        break;
      }
      default:
        break;
    }
  }
  expect(linear).toBe(widths.length - 1);
  return reluInputs;
}

describe("layerStackArb", () => {
  it("chains shapes: Linear [in, out], Bias [out], input [batch, widths[0]]", () => {
    fc.assert(
      fc.property(layerStackArb({ withSoftmaxCrossEntropy: true }), (spec) => {
        walk(spec);
        expect(spec.widths.length - 1).toBeGreaterThanOrEqual(1);
        expect(spec.widths.length - 1).toBeLessThanOrEqual(3);
        expect(spec.widths.every((w) => w >= 1 && w <= 5)).toBe(true);
        expect(spec.batch).toBeGreaterThanOrEqual(1);
        expect(spec.batch).toBeLessThanOrEqual(4);
        expect(spec.layers.slice(-2).map((l) => l.kind)).toEqual(["softmax", "crossEntropy"]);
        for (const l of spec.layers) {
          const t = l.kind === "linear" ? l.weights : l.kind === "bias" ? l.bias : null;
          if (t) for (const v of t.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it("puts activations between linear layers only, as listed", () => {
    fc.assert(
      fc.property(layerStackArb({ activations: ["relu"], withBias: false }), (spec) => {
        const kinds = spec.layers.map((l) => l.kind);
        expect(kinds).not.toContain("sigmoid");
        expect(kinds).not.toContain("bias");
        expect(kinds.filter((k) => k === "relu")).toHaveLength(spec.widths.length - 2);
        expect(kinds[kinds.length - 1]).toBe("linear");
      }),
      { seed: 2, numRuns: 100 },
    );
    const kinds = fc
      .sample(layerStackArb({ minDepth: 2 }), { seed: 2, numRuns: 100 })
      .flatMap((spec) => spec.layers.map((l) => l.kind));
    expect(kinds).toContain("relu");
    expect(kinds).toContain("sigmoid");
  });

  it("keeps every ReLU input at least reluMargin away from 0", () => {
    fc.assert(
      fc.property(
        layerStackArb({
          activations: ["relu"],
          finalActivation: true,
          reluMargin: 0.05,
          maxDepth: 4,
        }),
        (spec) => {
          for (const z of walk(spec)) {
            for (const v of z.data) expect(Math.abs(v)).toBeGreaterThanOrEqual(0.05 - 1e-12);
          }
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });

  it("makes the batch differ from every width when asked", () => {
    fc.assert(
      fc.property(
        layerStackArb({ batchDiffersFromWidth: true, batch: { min: 1, max: 3 }, maxWidth: 3 }),
        (spec) => {
          walk(spec);
          expect(spec.widths).not.toContain(spec.batch);
        },
      ),
      { seed: 4, numRuns: 200 },
    );
    // Only one batch size allowed: the widths move instead.
    fc.assert(
      fc.property(layerStackArb({ batchDiffersFromWidth: true, batch: 2, maxWidth: 3 }), (spec) => {
        walk(spec);
        expect(spec.widths).not.toContain(2);
      }),
      { seed: 4, numRuns: 100 },
    );
  });

  it("also produces batch sizes equal to some width by default", () => {
    const specs = fc.sample(layerStackArb(), { seed: 5, numRuns: 100 });
    expect(specs.some((s) => s.widths.includes(s.batch))).toBe(true);
    expect(specs.some((s) => !s.widths.includes(s.batch))).toBe(true);
  });

  it("shrinks 'fails with two linear layers' to the smallest such stack", () => {
    const out = fc.check(
      fc.property(layerStackArb(), (spec) => spec.widths.length < 3),
      { seed: 6 },
    );
    const spec = out.counterexample![0];
    expect(spec.batch).toBe(1);
    expect(spec.widths).toEqual([1, 1, 1]);
    expect(spec.layers.map((l) => l.kind)).toEqual(["linear", "bias", "relu", "linear", "bias"]);
    expect(Array.from(spec.input.data)).toEqual([0]);
  });

  it("shrinks with batchDiffersFromWidth to batch 2 and widths of 1", () => {
    const out = fc.check(
      fc.property(layerStackArb({ batchDiffersFromWidth: true }), (_value) => false),
      { seed: 7 },
    );
    const spec = out.counterexample![0];
    expect(spec.batch).toBe(2);
    expect(spec.widths).toEqual([1, 1]);
  });

  it("validates its constraints when built", () => {
    expect(() => layerStackArb({ minDepth: 3, maxDepth: 2 })).toThrow(
      "layerStackArb: minDepth (3) must not exceed maxDepth (2)",
    );
    expect(() => layerStackArb({ activations: ["relu", "tanh" as never] })).toThrow(
      'layerStackArb: activations[1] ("tanh") must be "relu" or "sigmoid"',
    );
    expect(() =>
      layerStackArb({ batchDiffersFromWidth: true, batch: 2, minWidth: 2, maxWidth: 2 }),
    ).toThrow("layerStackArb: batchDiffersFromWidth is impossible");
    expect(() => layerStackArb({ withBias: false, reluMargin: 0.1 })).toThrow(
      "layerStackArb: reluMargin (0.1) needs withBias",
    );
    expect(() => layerStackArb({ reluMargin: 0.2 })).toThrow(
      "layerStackArb: reluMargin (0.2) is too large for 4 rows",
    );
    expect(() => layerStackArb({ maxWidth: 65 })).toThrow(
      "layerStackArb: maxWidth (65) must be at most 64",
    );
    expect(() => layerStackArb({ min: 1, max: -1 })).toThrow(
      "layerStackArb: min (1) must be less than max (-1)",
    );
  });
});
