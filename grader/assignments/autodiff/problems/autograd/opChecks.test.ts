// The operation checks catch planted mistakes, each in the check meant for it.
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/autograd";
import {
  div,
  exp,
  log,
  matmul,
  min,
  mul,
  ones,
  scalar,
  sub,
  sum,
  type Tensor,
} from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { autogradProblem } from "../autograd.js";

const { check, run, failsEverySeed, planted } = problemHarness(
  autogradProblem,
  "autograd",
  solution,
);

const OPS = [
  "VariableAdd",
  "VariableMultiply",
  "ScalarMultiply",
  "MatrixMultiply",
  "TensorDot",
  "Power",
  "Exp",
  "ReLU",
  "Maximum",
  "ReduceMax",
  "Sum",
  "SoftmaxCrossEntropy",
];

describe("problem 4: planted mistakes fail the intended check", () => {
  it("a product gradient that divides by the entry fails 4.VariableMultiply.backward (exact zeros)", () => {
    class VariableMultiply extends solution.VariableMultiply {
      xs: Tensor[] = [];
      product: Tensor | null = null;
      override forwardCall(...xs: Tensor[]): Tensor {
        this.xs = xs;
        this.product = super.forwardCall(...xs);
        return this.product;
      }
      override backwardCall(g: Tensor): Tensor[] {
        return this.xs.map((x) => div(mul(g, this.product!), x));
      }
    }
    const message = failsEverySeed("4.VariableMultiply.backward", planted({ VariableMultiply }));
    expect(message).toMatch(/NaN|division by zero/);
  });

  it("a tensordot backward that is right only for k = 1 fails 4.TensorDot.backward", () => {
    class TensorDot extends solution.TensorDot {
      saved: [Tensor, Tensor] | null = null;
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        this.saved = [A, B];
        return super.forwardCall(A, B);
      }
      override backwardCall(g: Tensor): Tensor[] {
        // The solution's flattening, with the sizes of a contraction over exactly one axis.
        const [A, B] = this.saved!;
        const size = (sides: readonly number[]) => sides.reduce((x, y) => x * y, 1);
        const a = size(A.shape.slice(0, A.ndim - 1));
        const c = size(B.shape.slice(0, 1));
        const b = size(B.shape.slice(1));
        const G = g.reshape([a, b]);
        return [
          matmul(G, B.reshape([c, b]).transpose()).reshape(A.shape),
          matmul(A.reshape([a, c]).transpose(), G).reshape(B.shape),
        ];
      }
    }
    // Mostly a reshape that does not fit (an error), sometimes wrong values.
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("4.TensorDot.backward", planted({ TensorDot }), seed);
      expect(["failed", "error"]).toContain(result.status);
      expect(result.message).not.toBe("");
    }
    for (let seed = 1; seed <= 3; seed++) {
      expect(run("4.TensorDot.forward", planted({ TensorDot }), seed).status).toBe("passed");
    }
  });

  it("a tensordot backward that flattens the contracted axes in reverse order (right for k <= 1) fails 4.TensorDot.backward", () => {
    class TensorDot extends solution.TensorDot {
      saved: [Tensor, Tensor] | null = null;
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        this.saved = [A, B];
        return super.forwardCall(A, B);
      }
      override backwardCall(g: Tensor): Tensor[] {
        const [A, B] = this.saved!;
        const k = this.k;
        const size = (sides: readonly number[]) => sides.reduce((x, y) => x * y, 1);
        const a = size(A.shape.slice(0, A.ndim - k));
        const c = size(B.shape.slice(0, k));
        const b = size(B.shape.slice(k));
        const reversed = [...Array.from({ length: k }, (_, i) => k - 1 - i)];
        const perm = [...reversed, ...Array.from({ length: B.ndim - k }, (_, i) => k + i)];
        const B2 = B.transpose(perm).reshape([c, b]);
        const dA = matmul(g.reshape([a, b]), B2.transpose()).reshape(A.shape);
        return [dA, super.backwardCall(g)[1]!];
      }
    }
    const message = failsEverySeed("4.TensorDot.backward", planted({ TensorDot }), 5);
    expect(message).toMatch(/the gradient of A from TensorDot\.backwardCall/);
  });

  it("a TensorDot.forwardCall that pairs the contracted dims in reverse order fails 4.TensorDot.forward for 50 seeds", () => {
    // The contraction of mistake-1-tensordot-order: right only for k <= 1.
    class TensorDot extends solution.TensorDot {
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        super.forwardCall(A, B);
        const k = this.k;
        const perm = [
          ...Array.from({ length: k }, (_, i) => k - 1 - i),
          ...B.shape.slice(k).map((_, i) => k + i),
        ];
        const shared = A.shape.slice(A.ndim - k).reduce((a, b) => a * b, 1);
        return matmul(A.reshape([-1, shared]), B.transpose(perm).reshape([shared, -1])).reshape([
          ...A.shape.slice(0, A.ndim - k),
          ...B.shape.slice(k),
        ]);
      }
    }
    const message = failsEverySeed("4.TensorDot.forward", planted({ TensorDot }), 50);
    expect(message).toContain("TensorDot.forwardCall");
    // Its (correct) backward does not use the forward: 4.TensorDot.backward passes.
    expect(run("4.TensorDot.backward", planted({ TensorDot })).status).toBe("passed");
  });

  it("a TensorDot.forwardCall with a k = 2 full-rank contraction gets no hint about a batch", () => {
    class TensorDot extends solution.TensorDot {
      override forwardCall(A: Tensor, B: Tensor): Tensor {
        const out = super.forwardCall(A, B);
        return out.ndim === 0 ? out.reshape([1]) : out;
      }
    }
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("4.TensorDot.forward", planted({ TensorDot }), seed);
      expect(result.status).toBe("failed");
      expect(result.message).toMatch(/shape \[1\] but \[\] was expected: an extra axis of size 1/);
      expect(result.message).not.toContain("batch");
    }
  });

  it("a sign error in ScalarMultiply's backward fails 4.ScalarMultiply.backward with a sign hint", () => {
    class ScalarMultiply extends solution.ScalarMultiply {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map((t) => mul(t, -1));
      }
    }
    expect(failsEverySeed("4.ScalarMultiply.backward", planted({ ScalarMultiply }))).toMatch(
      /sign/,
    );
    expect(failsEverySeed("4.ScalarMultiply.consistent", planted({ ScalarMultiply }))).toMatch(
      /disagrees with your own forward/,
    );
  });

  it("a Sum backward that ignores its downstream gradient fails 4.Sum.backward", () => {
    class Sum extends solution.Sum {
      override backwardCall(_g: Tensor): Tensor[] {
        return super.backwardCall(scalar(1));
      }
    }
    failsEverySeed("4.Sum.backward", planted({ Sum }));
  });

  it("a softmax cross-entropy not divided by the batch fails 4.SoftmaxCrossEntropy.forward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      override forwardCall(logits: Tensor): Tensor {
        return mul(super.forwardCall(logits), logits.shape[0]!);
      }
    }
    expect(
      failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy })),
    ).toMatch(/batch size/);
  });

  it("a softmax cross-entropy shifted by the row minimum (overflows) fails 4.SoftmaxCrossEntropy.forward and .backward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      private P: Tensor | null = null;
      override forwardCall(logits: Tensor): Tensor {
        const shifted = sub(logits, min(logits, 1, true));
        const logP = sub(shifted, log(sum(exp(shifted), 1, true)));
        this.P = exp(logP);
        return scalar(-sum(mul(this.labels, logP)).item() / logits.shape[0]!);
      }
      override backwardCall(g: Tensor): Tensor[] {
        return [mul(sub(this.P!, this.labels), g.item() / this.P!.shape[0]!)];
      }
    }
    failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy }));
    failsEverySeed("4.SoftmaxCrossEntropy.backward", planted({ SoftmaxCrossEntropy }));
  });

  it("a softmax cross-entropy without any shift (e^x overflows) fails 4.SoftmaxCrossEntropy.forward", () => {
    class SoftmaxCrossEntropy extends solution.SoftmaxCrossEntropy {
      override forwardCall(logits: Tensor): Tensor {
        super.forwardCall(logits);
        const e = exp(logits);
        const logP = log(div(e, sum(e, 1, true)));
        return scalar(-sum(mul(this.labels, logP)).item() / logits.shape[0]!);
      }
    }
    failsEverySeed("4.SoftmaxCrossEntropy.forward", planted({ SoftmaxCrossEntropy }));
  });

  it("a Maximum that sends the gradient to every input fails 4.Maximum.backward", () => {
    class Maximum extends solution.Maximum {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map(() => g.clone());
      }
    }
    failsEverySeed("4.Maximum.backward", planted({ Maximum }));
  });

  it("an operation that writes into its input fails 4.Exp.immutable", () => {
    class Exp extends solution.Exp {
      override forwardCall(x: Tensor): Tensor {
        const out = super.forwardCall(x);
        x.data.fill(0);
        return out;
      }
    }
    expect(failsEverySeed("4.Exp.immutable", planted({ Exp }))).toMatch(/modified/);
  });
});

describe("problem 4: issue 14, stubs earn nothing", () => {
  it("every .consistent check earns its points only with its .forward (a constant forward and a zero backward agree)", () => {
    for (const op of OPS) {
      expect(check(`4.${op}.consistent`).requires, op).toEqual([`4.${op}.forward`]);
    }
    // The stub the requirement is for: consistent on its own, wrong forward.
    class Exp extends solution.Exp {
      shape: readonly number[] = [];
      override forwardCall(x: Tensor): Tensor {
        this.shape = x.shape;
        return ones(x.shape);
      }
      override backwardCall(_g: Tensor): Tensor[] {
        return [mul(ones(this.shape), 0)];
      }
    }
    expect(run("4.Exp.consistent", planted({ Exp })).status).toBe("passed");
    expect(run("4.Exp.forward", planted({ Exp })).status).toBe("failed");
  });
});
