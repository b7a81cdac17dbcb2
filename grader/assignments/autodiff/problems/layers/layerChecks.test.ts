// The layer checks catch planted mistakes, each in the check meant for it, and a layer object used
// many times (issue 14).
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/layers";
import {
  map,
  matmul,
  mul,
  scalar,
  sub,
  sum,
  type Tensor,
  zeros,
} from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { layersProblem } from "../layers.js";

const { run, failsEverySeed, planted } = problemHarness(layersProblem, "layers", solution);

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
      /batch size/,
    );
    // Where its forward differs from the reference (seed 1 draws a case whose losses are all 0,
    // which the wrong factor leaves right), the message says so.
    expect(run("3.CrossEntropy.backward", planted({ CrossEntropy }), 3).message).toMatch(
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
