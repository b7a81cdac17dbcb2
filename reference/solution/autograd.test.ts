import fc from "fast-check";
import { numericalVjp } from "gradmark/checks";
import { full, map, ones, scalar, type Tensor, tensor } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import {
  assertClose,
  assertFinite,
  assertUnchanged,
  awayFromZero,
  checkOperation,
  distinctValues,
  oneHotArb,
  positive,
  shapeArb,
  smooth,
  tensorArb,
  withSpecials,
} from "../../testing/solutionSupport";
import {
  add,
  div,
  Exp,
  exp,
  MatrixMultiply,
  Maximum,
  matmul,
  mul,
  neg,
  Operation,
  Power,
  pow,
  ReduceMax,
  ReLU,
  relu,
  ScalarMultiply,
  SoftmaxCrossEntropy,
  Sum,
  sub,
  sum,
  TensorDot,
  tensordot,
  Variable,
  VariableAdd,
  VariableMultiply,
} from "./autograd";

const dims = fc.integer({ min: 1, max: 4 });
const anyShape = shapeArb({ maxDims: 3 });

/** n tensors of one random shape, with the downstream gradient of that shape. */
const sameShapeInputs = (values: fc.Arbitrary<number>) =>
  fc
    .tuple(anyShape, fc.integer({ min: 1, max: 4 }))
    .chain(([shape, n]) =>
      fc.tuple(
        fc.array(tensorArb(shape, values), { minLength: n, maxLength: n }),
        tensorArb(shape, smooth),
      ),
    );

const contractionCase = fc
  .tuple(shapeArb({ maxDims: 2 }), shapeArb({ maxDims: 2 }), shapeArb({ maxDims: 2 }))
  .chain(([outerA, summed, outerB]) =>
    fc.tuple(
      tensorArb([...outerA, ...summed]),
      tensorArb([...summed, ...outerB]),
      tensorArb([...outerA, ...outerB], smooth),
      fc.constant(summed.length),
    ),
  );

describe("operations: backwardCall agrees with finite differences of forwardCall", () => {
  it("VariableAdd", () => {
    fc.assert(
      fc.property(sameShapeInputs(withSpecials), ([xs, dZ]) => {
        checkOperation(() => new VariableAdd(), xs, dZ);
      }),
      { seed: 401, numRuns: 60 },
    );
  });

  it("VariableMultiply, including exact zeros", () => {
    fc.assert(
      fc.property(sameShapeInputs(withSpecials), ([xs, dZ]) => {
        checkOperation(() => new VariableMultiply(), xs, dZ);
      }),
      { seed: 402, numRuns: 80 },
    );
  });

  it("VariableMultiply does not divide by the entry", () => {
    const op = new VariableMultiply();
    op.forwardCall(tensor([0, 0, 2]), tensor([3, 0, 0]), tensor([5, 7, 0]));
    const grads = op.backwardCall(tensor([1, 1, 1]));
    expect(grads.map((g) => Array.from(g.data))).toEqual([
      [15, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("ScalarMultiply", () => {
    const cases = anyShape.chain((shape) =>
      fc.tuple(withSpecials.map(scalar), tensorArb(shape), tensorArb(shape, smooth)),
    );
    fc.assert(
      fc.property(cases, ([s, x, dZ]) => {
        checkOperation(() => new ScalarMultiply(), [s, x], dZ);
      }),
      { seed: 403, numRuns: 60 },
    );
  });

  it("MatrixMultiply", () => {
    const cases = fc
      .tuple(dims, dims, dims)
      .chain(([n, k, m]) =>
        fc.tuple(tensorArb([n, k]), tensorArb([k, m]), tensorArb([n, m], smooth)),
      );
    fc.assert(
      fc.property(cases, ([A, B, dZ]) => {
        checkOperation(() => new MatrixMultiply(), [A, B], dZ);
      }),
      { seed: 404, numRuns: 60 },
    );
  });

  it("TensorDot (k = 0 and full rank included)", () => {
    fc.assert(
      fc.property(contractionCase, ([A, B, dZ, k]) => {
        checkOperation(() => new TensorDot(k), [A, B], dZ);
      }),
      { seed: 405, numRuns: 80 },
    );
  });

  it("Power", () => {
    const cases = fc
      .tuple(anyShape, fc.constantFrom(-2.5, -1, 0, 0.5, 1, 2, 3))
      .chain(([shape, p]) =>
        fc.tuple(tensorArb(shape, positive()), tensorArb(shape, smooth), fc.constant(p)),
      );
    fc.assert(
      fc.property(cases, ([x, dZ, p]) => {
        checkOperation(() => new Power(p), [x], dZ);
      }),
      { seed: 406, numRuns: 60 },
    );
  });

  it("Exp", () => {
    const cases = anyShape.chain((shape) => fc.tuple(tensorArb(shape), tensorArb(shape, smooth)));
    fc.assert(
      fc.property(cases, ([x, dZ]) => {
        checkOperation(() => new Exp(), [x], dZ);
      }),
      { seed: 407, numRuns: 60 },
    );
  });

  it("ReLU (inputs away from 0)", () => {
    const cases = anyShape.chain((shape) =>
      fc.tuple(tensorArb(shape, awayFromZero()), tensorArb(shape, smooth)),
    );
    fc.assert(
      fc.property(cases, ([x, dZ]) => {
        checkOperation(() => new ReLU(), [x], dZ);
      }),
      { seed: 408, numRuns: 60 },
    );
  });

  it("Maximum (no ties)", () => {
    const cases = fc.tuple(anyShape, fc.integer({ min: 1, max: 4 })).chain(([shape, n]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const columns = fc.array(distinctValues(n), { minLength: size, maxLength: size });
      const inputs = columns.map((cols) =>
        Array.from({ length: n }, (_, i) =>
          tensor(
            cols.map((col) => col[i]!),
            shape,
          ),
        ),
      );
      return fc.tuple(inputs, tensorArb(shape, smooth));
    });
    fc.assert(
      fc.property(cases, ([xs, dZ]) => {
        checkOperation(() => new Maximum(), xs, dZ);
      }),
      { seed: 409, numRuns: 60 },
    );
  });

  it("Maximum and ReduceMax send ties to the first arg-max", () => {
    const max = new Maximum();
    max.forwardCall(tensor([1, 2]), tensor([1, 5]));
    expect(max.backwardCall(tensor([3, 4])).map((g) => Array.from(g.data))).toEqual([
      [3, 0],
      [0, 4],
    ]);
    const reduce = new ReduceMax();
    expect(reduce.forwardCall(tensor([2, 7, 7])).item()).toBe(7);
    expect(Array.from(reduce.backwardCall(scalar(2))[0]!.data)).toEqual([0, 2, 0]);
  });

  it("ReduceMax (no ties)", () => {
    const cases = shapeArb({ minDims: 0, maxDims: 3 }).chain((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return fc.tuple(
        distinctValues(size).map((v) => tensor(v, shape)),
        smooth.map(scalar),
      );
    });
    fc.assert(
      fc.property(cases, ([x, dZ]) => {
        checkOperation(() => new ReduceMax(), [x], dZ);
      }),
      { seed: 410, numRuns: 60 },
    );
  });

  it("Sum", () => {
    const cases = anyShape.chain((shape) => fc.tuple(tensorArb(shape), smooth.map(scalar)));
    fc.assert(
      fc.property(cases, ([x, dZ]) => {
        checkOperation(() => new Sum(), [x], dZ);
      }),
      { seed: 411, numRuns: 60 },
    );
  });

  it("SoftmaxCrossEntropy", () => {
    const cases = fc
      .tuple(dims, fc.integer({ min: 2, max: 4 }))
      .chain(([B, C]) =>
        fc.tuple(
          tensorArb([B, C], fc.double({ min: -5, max: 5, noNaN: true })),
          oneHotArb(B, C),
          smooth.map(scalar),
        ),
      );
    fc.assert(
      fc.property(cases, ([logits, Y, dZ]) => {
        checkOperation(() => new SoftmaxCrossEntropy(Y), [logits], dZ);
      }),
      { seed: 412, numRuns: 60 },
    );
  });

  it("SoftmaxCrossEntropy is stable for large logits and equals -log softmax at the label", () => {
    const op = new SoftmaxCrossEntropy(tensor([[0, 1, 0]]));
    expect(op.forwardCall(tensor([[1000, 1000, -1000]])).item()).toBeCloseTo(Math.log(2), 12);
    assertFinite(op.backwardCall(scalar(1))[0]!);
  });
});

/** Runs a helper on fresh Variables and checks each input's grad against finite differences. */
function checkHelper(
  helper: (...vs: Variable[]) => Variable,
  inputs: Tensor[],
  downstream: Tensor,
): void {
  const vars = inputs.map((x) => new Variable(x));
  const z = assertUnchanged(inputs, () => helper(...vars));
  expect(z.data.shape).toEqual(downstream.shape);
  assertUnchanged([...inputs, downstream], () => z.backward(downstream));
  const f = (...xs: Tensor[]) => helper(...xs.map((x) => new Variable(x))).data;
  vars.forEach((v, i) => {
    assertClose(v.grad!, numericalVjp(f, inputs, downstream, i), `grad of input ${i}`);
  });
}

describe("helpers build graphs with the right gradients", () => {
  const pair = (values: fc.Arbitrary<number>) =>
    anyShape.chain((shape) =>
      fc.tuple(tensorArb(shape, values), tensorArb(shape, values), tensorArb(shape, smooth)),
    );

  it("add, sub, mul (element-wise), div", () => {
    fc.assert(
      fc.property(pair(withSpecials), ([a, b, dZ]) => {
        checkHelper(add, [a, b], dZ);
        checkHelper(sub, [a, b], dZ);
        checkHelper(mul, [a, b], dZ);
        checkHelper(div, [a, map(b, (v) => 0.5 + Math.abs(v))], dZ);
      }),
      { seed: 421, numRuns: 40 },
    );
  });

  it("mul and div with a scalar on either side use ScalarMultiply", () => {
    const cases = anyShape.chain((shape) =>
      fc.tuple(
        withSpecials.map(scalar),
        tensorArb(shape),
        tensorArb(shape, smooth),
        positive().map(scalar),
      ),
    );
    fc.assert(
      fc.property(cases, ([s, x, dZ, p]) => {
        checkHelper(mul, [s, x], dZ);
        checkHelper(mul, [x, s], dZ);
        checkHelper(div, [x, p], dZ);
      }),
      { seed: 422, numRuns: 40 },
    );
    const z = mul(new Variable(tensor([1, 2])), new Variable(scalar(3)));
    expect(z.parent).toBeInstanceOf(ScalarMultiply);
    expect(z.parent!.parents[0]!.data.shape).toEqual([]);
  });

  it("neg, exp, relu, pow, sum", () => {
    const cases = anyShape.chain((shape) =>
      fc.tuple(
        tensorArb(shape, awayFromZero()),
        tensorArb(shape, positive()),
        tensorArb(shape, smooth),
      ),
    );
    fc.assert(
      fc.property(cases, ([x, p, dZ]) => {
        checkHelper(neg, [x], dZ);
        checkHelper(exp, [x], dZ);
        checkHelper(relu, [x], dZ);
        checkHelper((v) => pow(v, 3), [x], dZ);
        checkHelper((v) => pow(v, -0.5), [p], dZ);
        checkHelper(sum, [x], scalar(dZ.data[0] ?? 1));
      }),
      { seed: 423, numRuns: 40 },
    );
  });

  it("matmul and tensordot", () => {
    const mm = fc
      .tuple(dims, dims, dims)
      .chain(([n, k, m]) =>
        fc.tuple(tensorArb([n, k]), tensorArb([k, m]), tensorArb([n, m], smooth)),
      );
    fc.assert(
      fc.property(mm, contractionCase, ([A, B, dZ], [C, D, dW, k]) => {
        checkHelper(matmul, [A, B], dZ);
        checkHelper((a, b) => tensordot(a, b, k), [C, D], dW);
      }),
      { seed: 424, numRuns: 40 },
    );
  });
});

describe("the lecture's examples through the engine", () => {
  it("Z = x1^3 x2 at (2, 3) gives D_X[Z] = (36, 8)", () => {
    const x1 = new Variable(scalar(2));
    const x2 = new Variable(scalar(3));
    const z = mul(pow(x1, 3), x2);
    expect(z.data.item()).toBe(24);
    z.backward();
    expect(x1.grad!.shape).toEqual([]);
    expect(x1.grad!.item()).toBeCloseTo(36, 12);
    expect(x2.grad!.item()).toBeCloseTo(8, 12);
  });

  it("Z = x1^3 x2 on a vector X = (x1, x2), with the same gradient", () => {
    const X = new Variable(tensor([2, 3]));
    // Pick the entries out of X with contractions against the unit vectors.
    const x1 = tensordot(X, new Variable(tensor([1, 0])), 1);
    const x2 = tensordot(X, new Variable(tensor([0, 1])), 1);
    mul(pow(x1, 3), x2).backward();
    expect(X.grad!.shape).toEqual([2]);
    assertClose(X.grad!, tensor([36, 8]), "D_X[Z]", { rtol: 1e-12, atol: 1e-12 });
  });

  it("f(x, y) = x (x + y)^2 at (1, 2): x.grad = 15, y.grad = 6 (re-using inputs)", () => {
    const x = new Variable(scalar(1));
    const y = new Variable(scalar(2));
    mul(x, pow(add(x, y), 2)).backward();
    expect(x.grad!.item()).toBeCloseTo(15, 12);
    expect(y.grad!.item()).toBeCloseTo(6, 12);
  });
});

describe("the engine", () => {
  it("leaves grad null until a gradient arrives, and on Variables z does not depend on", () => {
    const x = new Variable(tensor([1, 2]));
    const unrelated = new Variable(tensor([3]));
    const z = sum(exp(x));
    expect(x.grad).toBeNull();
    expect(z.grad).toBeNull();
    z.backward();
    expect(unrelated.grad).toBeNull();
    expect(z.grad!.item()).toBe(1);
    assertClose(x.grad!, tensor([Math.E, Math.E ** 2]), "x.grad");
  });

  it("seeds with ones by default and accepts another seed of the same shape", () => {
    const x = new Variable(tensor([1, 2, 3]));
    const y = mul(x, x);
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 4, 6]);
    const x2 = new Variable(tensor([1, 2, 3]));
    mul(x2, x2).backward(tensor([1, 0, -1]));
    expect(Array.from(x2.grad!.data)).toEqual([2, 0, -6]);
    expect(() => mul(x2, x2).backward(tensor([1]))).toThrow(/seed has shape/);
  });

  it("sums the gradients of a Variable used twice", () => {
    const x = new Variable(tensor([3, -4]));
    add(x, x).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 2]);
    const y = new Variable(tensor([3, -4]));
    mul(y, y).backward();
    expect(Array.from(y.grad!.data)).toEqual([6, -8]);
  });

  it("handles diamonds: z = y^2 * (y + y) with y = e^x, so dz/dx = 6 e^(3x)", () => {
    fc.assert(
      fc.property(
        anyShape.chain((s) => tensorArb(s, fc.double({ min: -1, max: 1, noNaN: true }))),
        (xt) => {
          const x = new Variable(xt);
          const y = exp(x);
          const z = mul(pow(y, 2), add(y, y));
          z.backward();
          assertClose(
            x.grad!,
            map(xt, (v) => 6 * Math.exp(3 * v)),
            "x.grad",
          );
          assertClose(
            y.grad!,
            map(xt, (v) => 6 * Math.exp(2 * v)),
            "y.grad",
          );
        },
      ),
      { seed: 431, numRuns: 30 },
    );
  });

  it("runs a 100-step chain that reuses every intermediate twice (linear time)", () => {
    const x = new Variable(tensor([1, -3]));
    let v = x;
    for (let i = 0; i < 100; i++) v = add(v, v);
    v.backward();
    expect(Array.from(x.grad!.data)).toEqual([2 ** 100, 2 ** 100]);

    const one = new Variable(ones([2]));
    let w = one;
    for (let i = 0; i < 100; i++) w = mul(w, w); // w = one^(2^100)
    w.backward();
    expect(Array.from(one.grad!.data)).toEqual([2 ** 100, 2 ** 100]);
  });

  it("runs a 200-step chain of the same kind, and a 5000-step one, without recursion limits", () => {
    const x = new Variable(scalar(0.5));
    let v = x;
    for (let i = 0; i < 200; i++) v = add(v, v);
    v.backward();
    expect(x.grad!.item()).toBe(2 ** 200);

    const y = new Variable(scalar(1));
    const c = new Variable(scalar(0.25));
    let u = y;
    for (let i = 0; i < 5000; i++) u = add(u, c);
    u.backward();
    expect(y.grad!.item()).toBe(1);
    expect(c.grad!.item()).toBe(5000);
  });

  it("accumulates on source Variables across backward calls, not on intermediate ones", () => {
    const x = new Variable(scalar(2));
    const y = mul(x, x);
    const z = mul(y, new Variable(scalar(3)));
    z.backward();
    z.backward();
    expect(y.grad!.item()).toBe(3);
    expect(x.grad!.item()).toBe(24);
  });

  it("names the operation whose backwardCall returns a wrong shape", () => {
    class Broken extends Operation {
      override forwardCall(x: Tensor): Tensor {
        return x.clone();
      }
      override backwardCall(): Tensor[] {
        return [scalar(1)];
      }
    }
    const z = new Broken().forward(new Variable(tensor([1, 2])));
    expect(() => z.backward()).toThrow(/Broken\.backwardCall returned a gradient of shape \[\]/);
  });
});

/**
 * A driver-style operation, defined here the way a grader would: only forwardCall and
 * backwardCall. tanh(sum_i c_i x_i + prod_i x_i / 2) element-wise, so values stay in (-1, 1).
 */
class Mix extends Operation {
  private inputs: Tensor[] = [];
  private output: Tensor | null = null;

  constructor(readonly coeffs: readonly number[]) {
    super();
  }

  override forwardCall(...xs: Tensor[]): Tensor {
    this.inputs = xs;
    const out = new Float64Array(xs[0]!.size);
    for (let e = 0; e < out.length; e++) {
      let linear = 0;
      let product = 0.5;
      xs.forEach((x, i) => {
        linear += this.coeffs[i]! * x.data[e]!;
        product *= x.data[e]!;
      });
      out[e] = Math.tanh(linear + product);
    }
    this.output = tensor(out, xs[0]!.shape);
    return this.output;
  }

  override backwardCall(g: Tensor): Tensor[] {
    const xs = this.inputs;
    return xs.map((_, i) =>
      tensor(
        Array.from(g.data, (gv, e) => {
          let others = 0.5;
          xs.forEach((x, j) => {
            if (j !== i) others *= x.data[e]!;
          });
          const out = this.output!.data[e]!;
          return gv * (1 - out * out) * (this.coeffs[i]! + others);
        }),
        g.shape,
      ),
    );
  }
}

describe("random DAGs of a test-defined Operation", () => {
  const dagCase = fc.record({
    shape: shapeArb({ maxDims: 2, maxSide: 3 }),
    leaves: fc.integer({ min: 1, max: 4 }),
    nodes: fc.array(
      fc.record({
        picks: fc.array(fc.nat(1000), { minLength: 1, maxLength: 3 }),
        coeffs: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
          minLength: 3,
          maxLength: 3,
        }),
      }),
      { minLength: 1, maxLength: 15 },
    ),
    seedValues: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
      minLength: 40,
      maxLength: 40,
    }),
  });

  it("gives every source the sum over all paths (vs finite differences)", () => {
    fc.assert(
      fc.property(dagCase, (c) => {
        const size = c.shape.reduce((a, b) => a * b, 1);
        const leafData = Array.from({ length: c.leaves }, (_, i) =>
          tensor(
            Array.from({ length: size }, (_, e) => c.seedValues[(i * size + e) % 40]!),
            c.shape,
          ),
        );
        // Node inputs reference earlier nodes (leaves first); repeats allowed.
        const wiring = c.nodes.map((node, n) => node.picks.map((p) => p % (c.leaves + n)));
        const run = (leaves: Variable[]): Variable => {
          const all = [...leaves];
          c.nodes.forEach((node, n) => {
            all.push(new Mix(node.coeffs).forward(...wiring[n]!.map((i) => all[i]!)));
          });
          return all[all.length - 1]!;
        };
        const leaves = leafData.map((d) => new Variable(d));
        const z = run(leaves);
        const seed = full(c.shape, 0.7);
        assertUnchanged(leafData, () => z.backward(seed));

        // Which leaves z depends on, from the wiring.
        const reaches = new Set<number>([c.leaves + c.nodes.length - 1]);
        for (let n = c.nodes.length - 1; n >= 0; n--) {
          if (reaches.has(c.leaves + n)) for (const i of wiring[n]!) reaches.add(i);
        }
        const f = (...xs: Tensor[]) => run(xs.map((x) => new Variable(x))).data;
        leaves.forEach((leaf, i) => {
          if (!reaches.has(i)) {
            expect(leaf.grad).toBeNull();
            return;
          }
          assertClose(leaf.grad!, numericalVjp(f, leafData, seed, i), `leaf ${i}`);
        });
      }),
      { seed: 441, numRuns: 80 },
    );
  });
});
