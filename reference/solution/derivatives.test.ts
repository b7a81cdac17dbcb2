import fc from "fast-check";
import { numericalDerivative } from "gradmark/checks";
import { div, exp, matmul, mul, scalar, sum, type Tensor, tensor } from "gradmark/tensor";
import { describe, expect, it } from "vitest";
import {
  assertClose,
  assertUnchanged,
  smooth,
  tensorArb,
  withSpecials,
} from "../../testing/solutionSupport";
import {
  chainRuleExample,
  jacobianMixed,
  jacobianSquareProd,
  matmulDerivative,
  reuseDerivative,
  softmaxRowJacobians,
} from "./derivatives";

const dims = fc.integer({ min: 1, max: 4 });

describe("jacobianSquareProd", () => {
  const f = (x: Tensor) => {
    const [x1, x2, x3] = x.data;
    return tensor([x1! ** 2, x1! * x2! * x3!]);
  };

  it("is the lecture's matrix", () => {
    expect(jacobianSquareProd(tensor([1, 2, 3])).toArray()).toEqual([
      [2, 6],
      [0, 3],
      [0, 2],
    ]);
  });

  it("agrees with the numerical derivative", () => {
    fc.assert(
      fc.property(tensorArb([3]), (x) => {
        const J = assertUnchanged([x], () => jacobianSquareProd(x));
        assertClose(J, numericalDerivative(f, [x]), "D[f](x)");
      }),
      { seed: 201, numRuns: 50 },
    );
  });
});

describe("jacobianMixed", () => {
  const f = (x: Tensor) => {
    const [x1, x2] = x.data;
    return tensor([x2! ** 2, x1! + x2!, x1! * x2!]);
  };

  it("is the lecture's answer [[0, 1, x2], [2 x2, 1, x1]]", () => {
    expect(jacobianMixed(tensor([5, 7])).toArray()).toEqual([
      [0, 1, 7],
      [14, 1, 5],
    ]);
  });

  it("agrees with the numerical derivative", () => {
    fc.assert(
      fc.property(tensorArb([2]), (x) => {
        const J = assertUnchanged([x], () => jacobianMixed(x));
        assertClose(J, numericalDerivative(f, [x]), "D[f](x)");
      }),
      { seed: 202, numRuns: 50 },
    );
  });
});

describe("matmulDerivative", () => {
  it("agrees with the numerical derivative of X -> XW (batch != width, sizes of 1)", () => {
    const cases = fc
      .tuple(dims, dims, dims)
      .chain(([B, N, M]) => fc.tuple(tensorArb([B, N]), tensorArb([N, M])));
    fc.assert(
      fc.property(cases, ([X, W]) => {
        const D = assertUnchanged([X, W], () => matmulDerivative(X, W));
        assertClose(
          D,
          numericalDerivative((x) => matmul(x, W), [X]),
          "D_X[XW]",
        );
      }),
      { seed: 203, numRuns: 60 },
    );
  });

  it("has the shape [B, N, B, M]", () => {
    expect(
      matmulDerivative(tensor([[1, 2, 3]]).reshape([1, 3]), tensor([[1], [2], [3]])).shape,
    ).toEqual([1, 3, 1, 1]);
  });
});

describe("softmaxRowJacobians", () => {
  const softmax = (x: Tensor) => div(exp(x), sum(exp(x)));

  it("holds the numerical Jacobian of softmax for every row", () => {
    const cases = fc.tuple(dims, dims).chain(([B, C]) => tensorArb([B, C], smooth));
    fc.assert(
      fc.property(cases, (X) => {
        const J = assertUnchanged([X], () => softmaxRowJacobians(X));
        const [B, C] = X.shape as [number, number];
        expect(J.shape).toEqual([B, C, C]);
        for (let b = 0; b < B; b++) {
          const row = tensor(X.data.slice(b * C, (b + 1) * C), [C]);
          const block = tensor(J.data.slice(b * C * C, (b + 1) * C * C), [C, C]);
          assertClose(block, numericalDerivative(softmax, [row]), `row ${b}`);
        }
      }),
      { seed: 204, numRuns: 60 },
    );
  });

  it("stays finite for large logits", () => {
    const J = softmaxRowJacobians(tensor([[1000, 999, -1000]]));
    expect(J.data.every(Number.isFinite)).toBe(true);
  });
});

describe("reuseDerivative", () => {
  it("agrees with the numerical derivative of g(z) = z * 2z", () => {
    const g = (z: Tensor) => mul(z, mul(z, 2));
    fc.assert(
      fc.property(
        dims.chain((n) => tensorArb([n])),
        (z) => {
          const D = assertUnchanged([z], () => reuseDerivative(z));
          assertClose(D, numericalDerivative(g, [z]), "D[g](z)");
        },
      ),
      { seed: 205, numRuns: 50 },
    );
  });

  it("is diag(4z)", () => {
    expect(reuseDerivative(tensor([1, -2])).toArray()).toEqual([
      [4, 0],
      [0, -8],
    ]);
  });
});

describe("chainRuleExample", () => {
  it("is 40 at (2, 2, 3), the lecture's value", () => {
    expect(chainRuleExample(2, 2, 3)).toBe(40);
  });

  it("agrees with the numerical derivative of (x (z + w))^2 in w", () => {
    fc.assert(
      fc.property(withSpecials, withSpecials, withSpecials, (x, z, w) => {
        const g = (wt: Tensor) => {
          const k = x * (z + wt.item());
          return scalar(k * k);
        };
        const numeric = numericalDerivative(g, [scalar(w)]).item();
        expect(chainRuleExample(x, z, w)).toBeCloseTo(numeric, 6);
      }),
      { seed: 206, numRuns: 100 },
    );
  });
});
