// The operation checks on extreme values: NaN and Infinity in gradients and at probe points
// (issue 13), and Exp near e^700 (issue 14).
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/autograd";
import { exp, map, mul, type Tensor, tensor } from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { autogradProblem } from "../autograd.js";

type Module = Record<string, unknown>;

const { run, failsEverySeed, planted } = problemHarness(autogradProblem, "autograd", solution);

describe("problem 4: NaN and Infinity never pass a judge (issue 13)", () => {
  type OpClass = new (
    ...args: never[]
  ) => { forwardCall(...inputs: Tensor[]): Tensor; backwardCall(g: Tensor): Tensor[] };
  /** Every operation of HOMEWORK.md, by export name. */
  const OP_CLASSES = {
    VariableAdd: solution.VariableAdd,
    VariableMultiply: solution.VariableMultiply,
    ScalarMultiply: solution.ScalarMultiply,
    MatrixMultiply: solution.MatrixMultiply,
    TensorDot: solution.TensorDot,
    Power: solution.Power,
    Exp: solution.Exp,
    ReLU: solution.ReLU,
    Maximum: solution.Maximum,
    ReduceMax: solution.ReduceMax,
    Sum: solution.Sum,
    SoftmaxCrossEntropy: solution.SoftmaxCrossEntropy,
  } as Record<string, unknown> as Record<string, OpClass>;
  const OP_NAMES = Object.keys(OP_CLASSES);

  /** Zeros of `like`'s shape with `value` at the middle element (the attack of issue 13). */
  const plantedIn = (like: Tensor, value: number): Tensor => {
    const data = new Float64Array(like.size);
    data[Math.floor(like.size / 2)] = value;
    return tensor(data, like.shape);
  };

  function poisonedBackward(name: string, value: number): Module {
    const Base = OP_CLASSES[name]!;
    class Poisoned extends Base {
      override backwardCall(g: Tensor): Tensor[] {
        return super.backwardCall(g).map((grad) => plantedIn(grad, value));
      }
    }
    return planted({ [name]: Poisoned });
  }

  it("right-shaped zeros with one Infinity or NaN fail every operation's .consistent and .backward (Infinity passed .consistent)", () => {
    for (const name of OP_NAMES) {
      for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        const message = failsEverySeed(`4.${name}.consistent`, poisonedBackward(name, value), 3);
        expect(message, `${name}, ${value}`).toContain(String(value));
        failsEverySeed(`4.${name}.backward`, poisonedBackward(name, value), 2);
      }
    }
  }, 30_000);

  it("a finite but huge gradient entry (1e200) fails .consistent", () => {
    for (const name of OP_NAMES)
      failsEverySeed(`4.${name}.consistent`, poisonedBackward(name, 1e200), 3);
  });

  it("a forwardCall that returns Infinity at a probe point fails .consistent", () => {
    for (const name of OP_NAMES) {
      const Base = OP_CLASSES[name]!;
      let poisonNext = false;
      class Poisoned extends Base {
        override forwardCall(...inputs: Tensor[]): Tensor {
          const out = super.forwardCall(...inputs);
          if (!poisonNext) return out;
          poisonNext = false;
          const data = out.data.slice();
          data[0] = Number.POSITIVE_INFINITY;
          return tensor(data, out.shape);
        }
        override backwardCall(g: Tensor): Tensor[] {
          poisonNext = true;
          return super.backwardCall(g);
        }
      }
      const message = failsEverySeed(`4.${name}.consistent`, planted({ [name]: Poisoned }), 3);
      expect(message, name).toMatch(/not finite|Infinity|NaN/);
    }
  });
});

describe("problem 4: Exp near e^700 (issue 14)", () => {
  /** An Exp whose backward multiplies by `slope(x)` instead of e^x. */
  const expWithSlope = (slope: (v: number) => number) =>
    class extends solution.Operation {
      private input: Tensor | null = null;
      override forwardCall(x: Tensor): Tensor {
        this.input = x;
        return exp(x);
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [mul(downstreamGrad, map(this.input!, slope))];
      }
    };

  it("a slope capped at e^30 fails .backward and .consistent on every one of 10 seeds", () => {
    const Exp = expWithSlope((v) => Math.exp(Math.min(v, 30)));
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.backward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
      expect(run("4.Exp.consistent", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("a slope kept in float32 (Infinity above 88.7) fails .backward on every one of 10 seeds", () => {
    const Exp = expWithSlope((v) => Math.fround(Math.exp(v)));
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.backward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("an input clamped at 50 fails .forward on every one of 10 seeds", () => {
    class Exp extends solution.Operation {
      override forwardCall(x: Tensor): Tensor {
        return map(x, (v) => Math.exp(Math.min(v, 50)));
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [downstreamGrad];
      }
    }
    for (let seed = 1; seed <= 10; seed++) {
      expect(run("4.Exp.forward", planted({ Exp }), seed).status, `seed ${seed}`).toBe("failed");
    }
  });

  it("e^x as Math.E ** x, and the exact slope from the input, pass every Exp check for 20 seeds", () => {
    class Exp extends solution.Operation {
      private input: Tensor | null = null;
      override forwardCall(x: Tensor): Tensor {
        this.input = x;
        return map(x, (v) => Math.E ** v);
      }
      override backwardCall(downstreamGrad: Tensor): Tensor[] {
        return [mul(downstreamGrad, exp(this.input!))];
      }
    }
    for (let seed = 1; seed <= 20; seed++) {
      for (const id of ["4.Exp.forward", "4.Exp.backward", "4.Exp.consistent", "4.Exp.immutable"]) {
        const result = run(id, planted({ Exp }), seed);
        expect(result.status, `${id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });
});
