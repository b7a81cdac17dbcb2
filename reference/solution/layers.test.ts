import fc from "fast-check";
import { numericalVjp } from "gradmark/checks";
import { matmul, Rng, scalar, type Tensor, tensor, zeros } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import {
  assertClose,
  assertFinite,
  assertUnchanged,
  awayFromZero,
  oneHotArb,
  positive,
  shapeArb,
  smooth,
  tensorArb,
  withSpecials,
} from "../../testing/solutionSupport";
import {
  Bias,
  backwardLayers,
  CrossEntropy,
  forwardLayers,
  type Layer,
  Linear,
  ReLU,
  Sigmoid,
  SoftMax,
} from "./layers";

const dims = fc.integer({ min: 1, max: 4 });

/**
 * Checks a layer's backward against central differences of its own forward (a fresh layer per
 * evaluation), with inputs and downstream gradient left untouched.
 */
function checkInputGradient(make: () => Layer, input: Tensor, downstream: Tensor): void {
  const layer = make();
  const output = assertUnchanged([input], () => layer.forward(input));
  expect(output.shape).toEqual(downstream.shape);
  const grad = assertUnchanged([input, downstream], () => layer.backward(downstream));
  assertFinite(grad, "D_input");
  assertClose(
    grad,
    numericalVjp((x) => make().forward(x), [input], downstream),
    "D_input",
  );
}

describe("Linear", () => {
  const cases = fc
    .tuple(dims, dims, dims)
    .chain(([B, N, M]) =>
      fc.tuple(tensorArb([B, N]), tensorArb([N, M]), tensorArb([B, M], smooth)),
    );

  it("computes XW and its gradients (D_X = dZ W^T, grad = X^T dZ)", () => {
    fc.assert(
      fc.property(cases, ([X, W, dZ]) => {
        const layer = new Linear(W);
        expect(layer.grad).toBeNull();
        const Z = assertUnchanged([X, W], () => layer.forward(X));
        assertClose(Z, matmul(X, W), "XW");
        checkInputGradient(() => new Linear(W), X, dZ);
        assertUnchanged([X, W, dZ], () => layer.backward(dZ));
        expect(layer.parameter).toBe(W);
        const expected = numericalVjp((w) => new Linear(w).forward(X), [W], dZ);
        assertClose(layer.grad!, expected, "D_W");
      }),
      { seed: 301, numRuns: 80 },
    );
  });
});

describe("Bias", () => {
  const cases = fc
    .tuple(dims, dims)
    .chain(([B, M]) => fc.tuple(tensorArb([B, M]), tensorArb([M]), tensorArb([B, M], smooth)));

  it("adds b to every row and sums the gradient over the batch", () => {
    fc.assert(
      fc.property(cases, ([X, b, dZ]) => {
        const layer = new Bias(b);
        expect(layer.grad).toBeNull();
        const Z = assertUnchanged([X, b], () => layer.forward(X));
        const [B, M] = X.shape as [number, number];
        for (let i = 0; i < B; i++) {
          for (let j = 0; j < M; j++) expect(Z.get(i, j)).toBe(X.get(i, j) + b.get(j));
        }
        checkInputGradient(() => new Bias(b), X, dZ);
        assertUnchanged([X, b, dZ], () => layer.backward(dZ));
        const expected = numericalVjp((v) => new Bias(v).forward(X), [b], dZ);
        assertClose(layer.grad!, expected, "D_b");
        expect(layer.grad!.shape).toEqual([M]);
      }),
      { seed: 302, numRuns: 80 },
    );
  });
});

describe("ReLU and Sigmoid", () => {
  const anyShape = shapeArb({ maxDims: 3 });

  it("ReLU backward agrees with finite differences away from 0", () => {
    const cases = anyShape.chain((s) =>
      fc.tuple(tensorArb(s, awayFromZero()), tensorArb(s, smooth)),
    );
    fc.assert(
      fc.property(cases, ([X, dZ]) => {
        const Z = new ReLU().forward(X);
        for (let i = 0; i < X.size; i++) expect(Z.data[i]).toBe(Math.max(X.data[i]!, 0));
        checkInputGradient(() => new ReLU(), X, dZ);
      }),
      { seed: 303, numRuns: 80 },
    );
  });

  it("Sigmoid backward agrees with finite differences", () => {
    const cases = anyShape.chain((s) =>
      fc.tuple(tensorArb(s, fc.double({ min: -6, max: 6, noNaN: true })), tensorArb(s, smooth)),
    );
    fc.assert(
      fc.property(cases, ([X, dZ]) => {
        const Z = new Sigmoid().forward(X);
        for (let i = 0; i < X.size; i++) {
          expect(Z.data[i]).toBeCloseTo(1 / (1 + Math.exp(-X.data[i]!)), 12);
        }
        checkInputGradient(() => new Sigmoid(), X, dZ);
      }),
      { seed: 304, numRuns: 80 },
    );
  });

  it("Sigmoid is finite at extreme inputs", () => {
    const Z = new Sigmoid().forward(tensor([-1000, 0, 1000]));
    expect(Array.from(Z.data)).toEqual([0, 0.5, 1]);
  });
});

describe("SoftMax", () => {
  const cases = fc
    .tuple(dims, dims)
    .chain(([B, C]) =>
      fc.tuple(
        tensorArb([B, C], fc.double({ min: -4, max: 4, noNaN: true })),
        tensorArb([B, C], smooth),
      ),
    );

  it("gives rows that sum to 1 and a backward that agrees with finite differences", () => {
    fc.assert(
      fc.property(cases, ([X, dP]) => {
        const P = new SoftMax().forward(X);
        const [B, C] = X.shape as [number, number];
        for (let b = 0; b < B; b++) {
          let total = 0;
          for (let c = 0; c < C; c++) total += P.get(b, c);
          expect(total).toBeCloseTo(1, 12);
        }
        checkInputGradient(() => new SoftMax(), X, dP);
      }),
      { seed: 305, numRuns: 80 },
    );
  });

  it("is stable for large logits", () => {
    const P = new SoftMax().forward(tensor([[1000, 1000, -1000]]));
    assertClose(P, tensor([[0.5, 0.5, 0]]), "softmax", { atol: 1e-12 });
  });
});

describe("CrossEntropy", () => {
  it("matches the starter's example", () => {
    const loss = new CrossEntropy(
      tensor([
        [1, 0],
        [0, 1],
      ]),
    ).forward(
      tensor([
        [0.5, 0.5],
        [0.25, 0.75],
      ]),
    );
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo((-Math.log(0.5) - Math.log(0.75)) / 2, 12);
  });

  it("is finite when unlabelled probabilities are 0", () => {
    const loss = new CrossEntropy(tensor([[0, 1]])).forward(tensor([[0, 1]]));
    expect(loss.item()).toBe(0);
  });

  it("backward scales with the [] downstream gradient and agrees with finite differences", () => {
    const cases = fc.tuple(dims, fc.integer({ min: 2, max: 4 })).chain(([B, C]) =>
      fc.tuple(
        tensorArb([B, C], positive(0.05, 1)),
        oneHotArb(B, C),
        smooth.map((v) => scalar(v)),
      ),
    );
    fc.assert(
      fc.property(cases, ([P, Y, dL]) => {
        const layer = new CrossEntropy(Y);
        const L = assertUnchanged([P, Y], () => layer.forward(P));
        expect(L.shape).toEqual([]);
        checkInputGradient(() => new CrossEntropy(Y), P, dL);
        assertUnchanged([Y], () => layer.backward(dL));
      }),
      { seed: 306, numRuns: 80 },
    );
  });
});

describe("forwardLayers and backwardLayers", () => {
  it("return the last output and seed the chain with 1 (shape [])", () => {
    const calls: string[] = [];
    const spy = (name: string): Layer => ({
      forward: (x) => {
        calls.push(`forward ${name}`);
        return x;
      },
      backward: (g) => {
        calls.push(`backward ${name} [${g.shape.join(", ")}] ${g.data.join(", ")}`);
        return g;
      },
    });
    const layers = [new Linear(tensor([[2], [3]])), new Bias(tensor([1])), spy("a"), spy("b")];
    expect(forwardLayers(layers, tensor([[1, 1]])).toArray()).toEqual([[6]]);
    calls.length = 0;
    const ce = new CrossEntropy(tensor([[0, 1]]));
    forwardLayers([spy("a"), ce, spy("b")], tensor([[0.25, 0.75]]));
    backwardLayers([spy("a"), ce, spy("b")]);
    expect(calls).toEqual([
      "forward a",
      "forward b",
      "backward b [] 1",
      "backward a [1, 2] 0, -1.3333333333333333",
    ]);
  });

  /** A random network: Linear, Bias, then ReLU or Sigmoid, ..., then SoftMax and CrossEntropy. */
  const networkCase = fc
    .record({
      depth: fc.integer({ min: 1, max: 3 }),
      widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
      batch: fc.integer({ min: 1, max: 5 }),
      classes: fc.integer({ min: 2, max: 4 }),
      activations: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .chain((c) => fc.tuple(fc.constant(c), oneHotArb(c.batch, c.classes)));

  it("give every parameter the gradient of the loss, end to end", () => {
    fc.assert(
      fc.property(networkCase, ([c, Y]) => {
        const rng = new Rng(c.seed);
        const sizes = [...c.widths.slice(0, c.depth), c.classes];
        const params: Tensor[] = [];
        for (let i = 0; i < c.depth; i++) {
          params.push(rng.randn([sizes[i]!, sizes[i + 1]!]), rng.randn([sizes[i + 1]!]));
        }
        const build = (ps: readonly Tensor[]): Layer[] => {
          const layers: Layer[] = [];
          for (let i = 0; i < c.depth; i++) {
            layers.push(new Linear(ps[2 * i]!), new Bias(ps[2 * i + 1]!));
            if (i < c.depth - 1) layers.push(c.activations[i] ? new ReLU() : new Sigmoid());
          }
          layers.push(new SoftMax(), new CrossEntropy(Y));
          return layers;
        };
        const X = rng.randn([c.batch, sizes[0]!]);
        const layers = build(params);
        const loss = assertUnchanged([X, ...params], () => forwardLayers(layers, X));
        expect(loss.shape).toEqual([]);
        assertUnchanged([X, ...params], () => backwardLayers(layers));
        const trainable = layers.filter((l) => l.parameter !== undefined);
        params.forEach((p, i) => {
          const f = (q: Tensor) => {
            const ps = params.slice();
            ps[i] = q;
            return forwardLayers(build(ps), X);
          };
          assertClose(trainable[i]!.grad!, numericalVjp(f, [p], scalar(1)), `parameter ${i}`);
        });
      }),
      { seed: 307, numRuns: 40 },
    );
  });

  it("reject backward before forward with a message", () => {
    expect(() => new Linear(zeros([2, 2])).backward(zeros([1, 2]))).toThrow(/before forward/);
    expect(() => new SoftMax().backward(zeros([1, 2]))).toThrow(/before forward/);
  });

  it("keep values finite on random inputs with exact zeros", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(dims, dims)
          .chain(([B, N]) => fc.tuple(tensorArb([B, N], withSpecials), tensorArb([N, 3]))),
        ([X, W]) => {
          const layers: Layer[] = [new Linear(W), new Bias(zeros([3])), new ReLU(), new SoftMax()];
          assertFinite(forwardLayers(layers, X));
        },
      ),
      { seed: 308, numRuns: 30 },
    );
  });
});
