import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as starter from "../../../../fixtures/starter/src/layers";
import { crossEntropy, softmax } from "../../../../reference/forward/layers.js";
import * as solution from "../../../../reference/solution/layers";
import {
  div,
  log,
  map,
  matmul,
  mul,
  ones,
  scalar,
  sub,
  sum,
  type Tensor,
  tensor,
  zeros,
} from "../../../../reference/tensor/index.js";
import { type InProcessRun, runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { drivers } from "../drivers.js";
import {
  extremeSoftmaxInputs,
  layersProblem,
  makeProbes,
  probeInputs,
  relativeStepVjp,
  shiftRows,
  tinyCrossEntropyCases,
} from "./layers.js";

type Module = Record<string, unknown>;

function check(id: string): CheckDefinition {
  const found = layersProblem.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function run(id: string, layers: Module, seed = 1): InProcessRun {
  return runCheckInProcess(check(id), drivers, { layers }, { seed });
}

/** The planted bug fails `id` on every one of the seeds; returns the first message. */
function failsEverySeed(
  id: string,
  layers: Module,
  seeds = 5,
  statuses: readonly string[] = ["failed"],
): string {
  let message = "";
  for (let seed = 1; seed <= seeds; seed++) {
    const result = run(id, layers, seed);
    // "failed" unless said otherwise: a driver crash or a timeout is not the planted bug caught.
    expect(statuses, `${id}, seed ${seed}: ${result.status}: ${result.message}`).toContain(
      result.status,
    );
    message ||= result.message;
  }
  return message;
}

const planted = (replacements: Module): Module => ({ ...solution, ...replacements });

describe("problem 3: the definition", () => {
  it("has id 3, the title of HOMEWORK.md and checks worth 30 points with unique ids", () => {
    expect(layersProblem.id).toBe("3");
    expect(layersProblem.title).toBe("Layers (the simplified graph)");
    expect(layersProblem.module).toBe("layers");
    const total = layersProblem.checks.reduce((s, c) => s + c.points, 0);
    expect(total).toBeCloseTo(30, 9);
    const ids = layersProblem.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^3\./);
    for (const c of layersProblem.checks) {
      for (const r of c.requires ?? []) expect(ids).toContain(r);
      expect(drivers).toHaveProperty(c.driver);
    }
  });

  it("gives forward and backward of every layer and both network functions points", () => {
    for (const layer of ["Linear", "Bias", "ReLU", "Sigmoid", "SoftMax", "CrossEntropy"]) {
      for (const part of ["forward", "backward", "consistent", "shapes", "immutable"]) {
        expect(check(`3.${layer}.${part}`).points).toBeGreaterThan(0);
      }
      expect(check(`3.${layer}.shapes`).requires).toEqual([
        `3.${layer}.forward`,
        `3.${layer}.backward`,
      ]);
    }
    expect(check("3.network.forward").points).toBeGreaterThan(0);
    expect(check("3.network.backward").points).toBeGreaterThan(0);
  });

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
});

describe("problem 3: the staff solution", () => {
  it("passes every check for 30 seeds", () => {
    for (const c of layersProblem.checks) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = runCheckInProcess(c, drivers, { layers: solution }, { seed });
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  }, 60_000);
});

describe("problem 3: the starter", () => {
  it("is not implemented in every check", () => {
    for (const c of layersProblem.checks) {
      const result = runCheckInProcess(c, drivers, { layers: starter }, { seed: 1 });
      expect(result.status, c.id).toBe("not-implemented");
    }
  });
});

describe("problem 3: planted mistakes fail the intended check", () => {
  it("a transposed weight gradient fails 3.Linear.backward", () => {
    class Linear extends solution.Linear {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.grad = this.grad!.transpose();
        return dX;
      }
    }
    const message = failsEverySeed("3.Linear.backward", planted({ Linear }));
    expect(message).toMatch(/Linear\.grad \(D_W\[Z\]\)/);
    expect(message).toMatch(/transpose/);
    // Square W: the values disagree with the student's own forward; otherwise the shape is off.
    expect(failsEverySeed("3.Linear.consistent", planted({ Linear }))).toMatch(
      /your backward disagrees with your own forward.*matches the reference|cannot be compared with your forward/s,
    );
    expect(run("3.Linear.forward", planted({ Linear })).status).toBe("passed");
  });

  it("a bias gradient not summed over the batch fails 3.Bias.backward", () => {
    class Bias extends solution.Bias {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.grad = g.clone();
        return dX;
      }
    }
    const message = failsEverySeed("3.Bias.backward", planted({ Bias }));
    expect(message).toMatch(/Bias\.grad \(D_b\[Z\]\)/);
    expect(message).toMatch(/missing a sum/);
  });

  it("a bias gradient summed along the wrong axis fails 3.Bias.backward (batch equal to or different from the width)", () => {
    class Bias extends solution.Bias {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.grad = sum(g, 1);
        return dX;
      }
    }
    failsEverySeed("3.Bias.backward", planted({ Bias }));
  });

  it("a bias added along the wrong axis (visible when batch == width, an error otherwise) fails 3.Bias.forward", () => {
    class Bias extends solution.Bias {
      override forward(x: Tensor): Tensor {
        const [rows, width] = x.shape as [number, number];
        const b = this.parameter;
        // b[i] added to row i: shape-compatible only when the batch equals the width.
        if (rows !== width) throw new Error("add: cannot broadcast shapes");
        return map(x, (v, i) => v + b.data[Math.floor(i / width)]!);
      }
    }
    failsEverySeed("3.Bias.forward", planted({ Bias }), 5, ["failed", "error"]);
  });

  it("a softmax backward with only the diagonal of the Jacobian fails 3.SoftMax.backward and .consistent", () => {
    class SoftMax extends solution.SoftMax {
      p: Tensor | null = null;
      override forward(x: Tensor): Tensor {
        this.p = super.forward(x);
        return this.p;
      }
      override backward(g: Tensor): Tensor {
        return mul(g, mul(this.p!, sub(1, this.p!)));
      }
    }
    failsEverySeed("3.SoftMax.backward", planted({ SoftMax }));
    expect(failsEverySeed("3.SoftMax.consistent", planted({ SoftMax }))).toMatch(
      /your backward disagrees with your own forward/,
    );
  });

  it("a cross-entropy not divided by the batch fails 3.CrossEntropy.forward with a batch-size hint, but not .consistent", () => {
    class CrossEntropy extends solution.CrossEntropy {
      override forward(p: Tensor): Tensor {
        return mul(super.forward(p), p.shape[0]!);
      }
      override backward(g: Tensor): Tensor {
        return mul(super.backward(g), this.labels.shape[0]!);
      }
    }
    const message = failsEverySeed("3.CrossEntropy.forward", planted({ CrossEntropy }));
    expect(message).toMatch(/batch size/);
    expect(failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy }))).toMatch(
      /batch size[\s\S]*Your forward differs from the reference too/,
    );
    // Its backward is the derivative of its own (wrong) forward.
    for (let seed = 1; seed <= 5; seed++) {
      expect(run("3.CrossEntropy.consistent", planted({ CrossEntropy }), seed).status).toBe(
        "passed",
      );
    }
  });

  it("a cross-entropy backward that ignores the downstream gradient fails 3.CrossEntropy.backward", () => {
    class CrossEntropy extends solution.CrossEntropy {
      override backward(_g: Tensor): Tensor {
        return super.backward(scalar(1));
      }
    }
    expect(failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy }))).toMatch(
      /constant factor|times the expected/,
    );
  });

  it("a ReLU gradient on the wrong side fails 3.ReLU.backward", () => {
    class ReLU extends solution.ReLU {
      x: Tensor | null = null;
      override forward(x: Tensor): Tensor {
        this.x = x;
        return super.forward(x);
      }
      override backward(g: Tensor): Tensor {
        return mul(
          g,
          map(this.x!, (v) => (v < 0 ? 1 : 0)),
        );
      }
    }
    failsEverySeed("3.ReLU.backward", planted({ ReLU }));
  });

  it("a sign error in the sigmoid backward fails 3.Sigmoid.backward with a sign hint", () => {
    class Sigmoid extends solution.Sigmoid {
      override backward(g: Tensor): Tensor {
        return mul(super.backward(g), -1);
      }
    }
    expect(failsEverySeed("3.Sigmoid.backward", planted({ Sigmoid }))).toMatch(/sign/);
  });

  it("a ReLU that clamps its input in place fails 3.ReLU.immutable", () => {
    class ReLU extends solution.ReLU {
      override forward(x: Tensor): Tensor {
        const out = super.forward(x);
        for (let i = 0; i < x.size; i++) x.data[i] = Math.max(x.data[i]!, 0);
        return out;
      }
    }
    expect(failsEverySeed("3.ReLU.immutable", planted({ ReLU }))).toMatch(/modified/);
    expect(run("3.ReLU.forward", planted({ ReLU })).status).toBe("passed");
  });

  it("a Linear whose grad is not null before the first backward fails 3.Linear.shapes", () => {
    class Linear extends solution.Linear {
      constructor(W: Tensor) {
        super(W);
        this.grad = zeros(W.shape);
      }
    }
    expect(failsEverySeed("3.Linear.shapes", planted({ Linear }))).toMatch(/null until the first/);
  });

  it("a backwardLayers that skips the loss layer (seeding SoftMax with ones) fails 3.network.backward", () => {
    const backwardLayers = (layers: readonly solution.Layer[]) => {
      const loss = layers[layers.length - 1] as solution.CrossEntropy;
      let grad = ones(loss.labels.shape);
      for (let i = layers.length - 2; i >= 0; i--) grad = layers[i]!.backward(grad);
    };
    expect(failsEverySeed("3.network.backward", planted({ backwardLayers }))).toMatch(/\.grad/);
  });

  it("a forwardLayers that skips the last layer fails 3.network.forward", () => {
    const forwardLayers = (layers: readonly solution.Layer[], x: Tensor) =>
      layers.slice(0, -1).reduce((v, layer) => layer.forward(v), x);
    failsEverySeed("3.network.forward", planted({ forwardLayers }));
  });
});

describe("problem 3: inputs of large magnitude and exact zeros", () => {
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

  it("extreme softmax inputs always have a row that overflows or underflows a softmax without the max shift, and the reference stays finite", () => {
    for (const X of fc.sample(extremeSoftmaxInputs(fc.constant(3), fc.constant(3)), {
      numRuns: 200,
      seed: 4,
    })) {
      expect(X.data.some((x) => Math.abs(x) >= 717)).toBe(true);
      expect(softmax(X).data.every(Number.isFinite)).toBe(true);
      const naive = map(X, Math.exp);
      expect(div(naive, sum(naive, 1, true)).data.some(Number.isNaN)).toBe(true);
    }
  });

  it("shiftRows subtracts each row's maximum and leaves the softmax unchanged", () => {
    const X = tensor([
      [800, 799, -3],
      [-780, -781, -790],
    ]);
    expect(Array.from(shiftRows(X).data)).toEqual([0, -1, -803, 0, -1, -10]);
    expect(Array.from(softmax(shiftRows(X)).data)).toEqual(Array.from(softmax(X).data));
  });

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

  it("tiny CrossEntropy cases put 1e-13 or less on row 0's label, rows summing to 1", () => {
    for (const c of fc.sample(tinyCrossEntropyCases, { numRuns: 200, seed: 9 })) {
      const P = c.inputs[0]!;
      const [batch, classes] = P.shape as [number, number];
      const label = [...Array(classes).keys()].find((k) => c.labels!.data[k] === 1)!;
      expect(P.data[label]!).toBeGreaterThan(0);
      expect(P.data[label]!).toBeLessThanOrEqual(1e-13);
      for (let b = 0; b < batch; b++) {
        const row = Array.from(P.data.slice(b * classes, (b + 1) * classes));
        expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
        expect(row.every((v) => v >= 0)).toBe(true);
      }
      expect(Number.isFinite(crossEntropy(P, c.labels!).item())).toBe(true);
    }
  });

  it("relativeStepVjp gives -s / (B p) at p = 1e-300, and relative probes keep probabilities positive", () => {
    const P = tensor([[1e-300, 1]]);
    const labels = tensor([[1, 0]]);
    const g = relativeStepVjp((p: Tensor) => crossEntropy(p, labels), [P], scalar(2), 0);
    expect(g.data[0]! / -2e300).toBeCloseTo(1, 6);
    expect(g.data[1]).toBe(0);
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

describe("problem 3: issue 14, a layer object is used many times", () => {
  it("a Linear whose grad adds up over backward calls fails 3.Linear.backward on every seed", () => {
    class Linear extends solution.Linear {
      override backward(g: Tensor): Tensor {
        const before = this.grad;
        const out = super.backward(g);
        if (before) this.grad = map(this.grad!, (v, i) => v + before.data[i]!);
        return out;
      }
    }
    expect(failsEverySeed("3.Linear.backward", planted({ Linear }))).toMatch(/never adding/);
  });

  it("a Bias whose grad adds up over backward calls fails 3.Bias.backward on every seed", () => {
    class Bias extends solution.Bias {
      override backward(g: Tensor): Tensor {
        const before = this.grad;
        const out = super.backward(g);
        if (before) this.grad = map(this.grad!, (v, i) => v + before.data[i]!);
        return out;
      }
    }
    failsEverySeed("3.Bias.backward", planted({ Bias }));
  });

  it("layers that keep the first forward's state fail their .backward on every seed", () => {
    class Linear extends solution.Linear {
      private first: Tensor | null = null;
      override forward(input: Tensor): Tensor {
        this.first ??= input;
        super.forward(this.first);
        return matmul(input, this.parameter);
      }
    }
    expect(failsEverySeed("3.Linear.backward", planted({ Linear }))).toMatch(/second forward/);
    const bases = { ReLU: solution.ReLU, Sigmoid: solution.Sigmoid, SoftMax: solution.SoftMax };
    for (const [name, layerClass] of Object.entries(bases)) {
      const Base = layerClass as unknown as new () => {
        forward(x: Tensor): Tensor;
        backward(g: Tensor): Tensor;
      };
      class Once extends Base {
        private used = false;
        override forward(input: Tensor): Tensor {
          if (this.used) return new Base().forward(input);
          this.used = true;
          return super.forward(input);
        }
      }
      failsEverySeed(`3.${name}.backward`, planted({ [name]: Once }));
    }
  });

  it("a forward that returns its first output again fails 3.SoftMax.forward", () => {
    class SoftMax extends solution.SoftMax {
      private cached: Tensor | null = null;
      override forward(input: Tensor): Tensor {
        this.cached ??= super.forward(input);
        return this.cached;
      }
    }
    expect(failsEverySeed("3.SoftMax.forward", planted({ SoftMax }))).toMatch(/second time/);
  });
});

describe("problem 3: issue 14, stubs earn nothing", () => {
  it("every .consistent check requires the layer's .forward", () => {
    for (const layer of ["Linear", "Bias", "ReLU", "Sigmoid", "SoftMax", "CrossEntropy"]) {
      expect(check(`3.${layer}.consistent`).requires).toEqual([`3.${layer}.forward`]);
    }
  });

  it("stubs of the right shapes (zeros, the input, a constant) fail every layer's forward and backward", () => {
    class Zeros {
      private shape: number[] = [];
      forward(x: Tensor): Tensor {
        this.shape = [...x.shape];
        return zeros(x.shape);
      }
      backward(): Tensor {
        return zeros(this.shape);
      }
    }
    class Identity {
      forward(x: Tensor): Tensor {
        return mul(x, 1);
      }
      backward(g: Tensor): Tensor {
        return mul(g, 1);
      }
    }
    for (const name of ["ReLU", "Sigmoid", "SoftMax"]) {
      for (const Stub of [Zeros, Identity]) {
        failsEverySeed(`3.${name}.forward`, planted({ [name]: Stub }));
        failsEverySeed(`3.${name}.backward`, planted({ [name]: Stub }));
      }
    }
    class ConstantLoss {
      constructor(readonly labels: Tensor) {}
      forward(): Tensor {
        return ones([]);
      }
      backward(): Tensor {
        return zeros(this.labels.shape);
      }
    }
    failsEverySeed("3.CrossEntropy.forward", planted({ CrossEntropy: ConstantLoss }));
    failsEverySeed("3.CrossEntropy.backward", planted({ CrossEntropy: ConstantLoss }));
  }, 30_000);
});
