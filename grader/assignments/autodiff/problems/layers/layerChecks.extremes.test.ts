// The layer checks on extreme inputs: entries of large magnitude and exact zeros, NaN and Infinity
// in gradients and at probe points (issue 13), softmax rows near 800 and label probabilities down
// to 1e-300 (issue 14).
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/layers";
import {
  div,
  log,
  map,
  mul,
  scalar,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { runCheckInProcess } from "../../../../../testing/runCheckInProcess.js";
import { drivers } from "../../drivers.js";
import { layersProblem } from "../layers.js";

type Module = Record<string, unknown>;

const { failsEverySeed, planted } = problemHarness(layersProblem, "layers", solution);

describe("problem 3: inputs of large magnitude and exact zeros", () => {
  it("a Sigmoid computed as e^x / (1 + e^x), NaN above x = 709.78, fails 3.Sigmoid.forward", () => {
    class Sigmoid extends solution.Sigmoid {
      override forward(input: Tensor): Tensor {
        super.forward(input);
        return map(input, (x) => Math.exp(x) / (1 + Math.exp(x)));
      }
    }
    failsEverySeed("3.Sigmoid.forward", planted({ Sigmoid }));
  });

  it("the plain 1 / (1 + e^-x) with s (1 - s) passes every Sigmoid check for 30 seeds", () => {
    class Sigmoid {
      private s: Tensor | null = null;
      forward(input: Tensor): Tensor {
        this.s = map(input, (x) => 1 / (1 + Math.exp(-x)));
        return this.s;
      }
      backward(g: Tensor): Tensor {
        return mul(g, mul(this.s!, sub(1, this.s!)));
      }
    }
    for (const c of layersProblem.checks.filter((c) => c.id.startsWith("3.Sigmoid."))) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runCheckInProcess(c, drivers, { layers: planted({ Sigmoid }) }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 30_000);

  it("a cross-entropy computed as -sum(Y * log P) / B (0 * log 0 = NaN) fails 3.CrossEntropy.forward", () => {
    class CrossEntropy extends solution.CrossEntropy {
      override forward(P: Tensor): Tensor {
        super.forward(P);
        return scalar(-sum(mul(this.labels, log(P))).item() / P.shape[0]!);
      }
    }
    failsEverySeed("3.CrossEntropy.forward", planted({ CrossEntropy }));
  });

  it("a cross-entropy gradient computed as -Y / (B P) (0 / 0 = NaN) fails 3.CrossEntropy.backward", () => {
    class CrossEntropy extends solution.CrossEntropy {
      private P: Tensor | null = null;
      override forward(P: Tensor): Tensor {
        this.P = P;
        return super.forward(P);
      }
      override backward(g: Tensor): Tensor {
        const P = this.P!;
        return mul(div(this.labels, P), -g.item() / P.shape[0]!);
      }
    }
    failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy }));
  });
});

describe("problem 3: NaN and Infinity never pass a judge (issue 13)", () => {
  type LayerClass = new (...args: never[]) => solution.Layer;
  const LAYER_CLASSES = {
    Linear: solution.Linear,
    Bias: solution.Bias,
    ReLU: solution.ReLU,
    Sigmoid: solution.Sigmoid,
    SoftMax: solution.SoftMax,
    CrossEntropy: solution.CrossEntropy,
  } as Record<string, unknown> as Record<
    "Linear" | "Bias" | "ReLU" | "Sigmoid" | "SoftMax" | "CrossEntropy",
    LayerClass
  >;
  const LAYER_NAMES = Object.keys(LAYER_CLASSES) as (keyof typeof LAYER_CLASSES)[];

  /** Zeros of `like`'s shape with `value` at the middle element (the attack of issue 13). */
  const plantedIn = (like: Tensor, value: number): Tensor => {
    const data = new Float64Array(like.size);
    data[Math.floor(like.size / 2)] = value;
    return tensor(data, like.shape);
  };

  /** The solution's layer with a backward that returns right-shaped zeros holding one `value`. */
  function poisonedBackward(name: keyof typeof LAYER_CLASSES, value: number): Module {
    const Base = LAYER_CLASSES[name];
    class Poisoned extends Base {
      override backward(g: Tensor): Tensor {
        const out = super.backward(g);
        if (this.grad) this.grad = plantedIn(this.grad, value);
        return plantedIn(out, value);
      }
    }
    return planted({ [name]: Poisoned });
  }

  it("right-shaped zeros with one Infinity, -Infinity or NaN fail every layer's .consistent (Infinity passed them)", () => {
    for (const name of LAYER_NAMES) {
      for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
        const message = failsEverySeed(`3.${name}.consistent`, poisonedBackward(name, value));
        expect(message, `${name}, ${value}`).toContain(String(value));
        expect(message, `${name}, ${value}`).toMatch(/holds .*Infinity|holds NaN/);
        failsEverySeed(`3.${name}.backward`, poisonedBackward(name, value), 2);
      }
    }
  });

  it("a finite but huge gradient entry (1e200) fails .consistent instead of overflowing its allowance to Infinity", () => {
    for (const name of LAYER_NAMES) {
      failsEverySeed(`3.${name}.consistent`, poisonedBackward(name, 1e200), 3);
    }
  });

  it("a forward that returns Infinity next to the graded input (at a probe point) fails .consistent", () => {
    // Right forward and backward, except that the first forward after a backward (the first
    // probe point of the self-consistency check) plants Infinity in its first element: its
    // finite differences are Infinity, which an allowance with an Infinity noise term passed.
    for (const name of LAYER_NAMES) {
      const Base = LAYER_CLASSES[name];
      let poisonNext = false;
      class Poisoned extends Base {
        override forward(x: Tensor): Tensor {
          const out = super.forward(x);
          if (!poisonNext) return out;
          poisonNext = false;
          const data = out.data.slice();
          data[0] = Number.POSITIVE_INFINITY;
          return tensor(data, out.shape);
        }
        override backward(g: Tensor): Tensor {
          poisonNext = true;
          return super.backward(g);
        }
      }
      const message = failsEverySeed(`3.${name}.consistent`, planted({ [name]: Poisoned }));
      expect(message, name).toMatch(/not finite|Infinity|NaN/);
    }
  });
});

describe("problem 3: issue 14, softmax rows near 800 and tiny label probabilities", () => {
  /** A softmax layer without the max shift: NaN for [800, 0] and for rows near -800. */
  class UnshiftedSoftMax extends solution.SoftMax {
    override forward(input: Tensor): Tensor {
      const e = map(input, Math.exp);
      const output = div(e, sum(e, 1, true));
      // What backward reads: the output saved by the most recent forward.
      (this as unknown as { output: Tensor }).output = output;
      return output;
    }
  }

  it("a SoftMax without the max shift fails 3.SoftMax.forward and .backward on every seed", () => {
    expect(failsEverySeed("3.SoftMax.forward", planted({ SoftMax: UnshiftedSoftMax }))).toMatch(
      /NaN/,
    );
    failsEverySeed("3.SoftMax.backward", planted({ SoftMax: UnshiftedSoftMax }));
  });

  it("a SoftMax computed as 1 / sum_k e^(x_k - x_j) (stable another way) passes every SoftMax check for 20 seeds", () => {
    class SoftMax extends solution.SoftMax {
      override forward(input: Tensor): Tensor {
        super.forward(input);
        const [B, C] = input.shape as [number, number];
        const out = new Float64Array(B * C);
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < C; j++) {
            let total = 0;
            for (let k = 0; k < C; k++)
              total += Math.exp(input.data[b * C + k]! - input.data[b * C + j]!);
            out[b * C + j] = 1 / total;
          }
        }
        return tensor(out, input.shape);
      }
    }
    for (const c of layersProblem.checks.filter((c) => c.id.startsWith("3.SoftMax."))) {
      for (let seed = 1; seed <= 20; seed++) {
        const result = runCheckInProcess(c, drivers, { layers: planted({ SoftMax }) }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 30_000);

  it("a cross-entropy of -log(p + 1e-9) or -log(max(p, 1e-12)) fails 3.CrossEntropy.forward and .backward on every seed", () => {
    for (const guard of [(p: number) => p + 1e-9, (p: number) => Math.max(p, 1e-12)]) {
      class CrossEntropy extends solution.CrossEntropy {
        override forward(P: Tensor): Tensor {
          super.forward(P);
          let total = 0;
          for (let i = 0; i < P.size; i++)
            if (this.labels.data[i] !== 0) total -= Math.log(guard(P.data[i]!));
          return scalar(total / P.shape[0]!);
        }
        override backward(g: Tensor): Tensor {
          const P = (this as unknown as { input: Tensor }).input;
          const out = map(P, () => 0);
          for (let i = 0; i < P.size; i++) {
            if (this.labels.data[i] !== 0)
              out.data[i] = -g.item() / (P.shape[0]! * guard(P.data[i]!));
          }
          return out;
        }
      }
      failsEverySeed("3.CrossEntropy.forward", planted({ CrossEntropy }));
      failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy }));
    }
  });
});
