// layerChecks as a course's staff use it: a layer with two parameters in fields of their own and
// a constant, drawn from `inputs` alone; planted mistakes fail the check meant for them; a wrong
// spec or a wrong draw is refused by name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensorArb } from "../../../checks/index.js";
import { add, matmul, mul, sum, type Tensor } from "../../../reference/tensor/index.js";
import { runCheckInProcess } from "../../../testing/runCheckInProcess.js";
import type { CheckDefinition } from "../types.js";
import { type LayerCase, type LayerSpec, layerChecks } from "./layerChecks.js";

/** y = scale * (X W + b): W and b are parameters (gradW, gradB), scale a constant. */
const reference = (X: Tensor, W: Tensor, b: Tensor, scale: number) =>
  mul(add(matmul(X, W), b), scale);

const spec: LayerSpec = {
  module: "layers",
  exportName: "Affine",
  reference,
  parameters: [
    { name: "W", grad: "gradW" },
    { name: "b", grad: "gradB" },
  ],
  constants: ["scale"],
  inputs: fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .chain(([batch, n, m]) =>
      fc.record({
        inputs: fc.tuple(
          tensorArb({ shape: [batch, n] }),
          tensorArb({ shape: [n, m] }),
          tensorArb({ shape: [m] }),
        ),
        constants: fc.tuple(fc.constantFrom(0.5, 2, 3)),
      }),
    ),
  secondInput: (shape) => tensorArb({ shape }),
  points: { forward: 1, backward: 2, consistent: 1, shapes: 0.5, immutable: 0.5 },
};

class Affine {
  gradW: Tensor | null = null;
  gradB: Tensor | null = null;
  private x: Tensor | null = null;
  constructor(
    readonly W: Tensor,
    readonly b: Tensor,
    readonly scale: number,
  ) {}
  forward(x: Tensor): Tensor {
    this.x = x;
    return reference(x, this.W, this.b, this.scale);
  }
  backward(g: Tensor): Tensor {
    const gs = mul(g, this.scale);
    this.gradW = matmul(this.x!.transpose(), gs);
    this.gradB = sum(gs, 0);
    return matmul(gs, this.W.transpose());
  }
}

const checks = layerChecks(spec);
const byId = (id: string): CheckDefinition => checks.find((c) => c.id === id)!;
const run = (id: string, Class: unknown, seed = 1) =>
  runCheckInProcess(byId(id), {}, { layers: { Affine: Class } }, { seed });

describe("layerChecks builds a layer's checks from a table", () => {
  it("makes the five checks with their ids, points, requires and gradmark's driver", () => {
    expect(checks.map((c) => [c.id, c.points, c.requires ?? []])).toEqual([
      ["Affine.forward", 1, []],
      ["Affine.backward", 2, []],
      ["Affine.consistent", 1, ["Affine.forward"]],
      ["Affine.shapes", 0.5, ["Affine.forward", "Affine.backward"]],
      ["Affine.immutable", 0.5, ["Affine.forward", "Affine.backward"]],
    ]);
    expect(new Set(checks.map((c) => c.driver))).toEqual(new Set(["gradmark.layer"]));
    expect(byId("Affine.shapes").title).toContain("gradW and gradB null before the first backward");
    const noted = layerChecks({ ...spec, id: "Affine.large", titleNote: "batches of 40" });
    expect(noted[0]!.title).toBe("Affine.forward against the reference (batches of 40)");
  });

  it("passes a correct layer on every check for 10 seeds", () => {
    for (let seed = 1; seed <= 10; seed++) {
      for (const c of checks) {
        const result = run(c.id, Affine, seed);
        expect(result.status, `${c.id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("names the parameter whose gradient is wrong, and the constant's part in the call", () => {
    class Unscaled extends Affine {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.gradB = sum(g, 0);
        return dX;
      }
    }
    const result = run("Affine.backward", Unscaled);
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/Affine\.gradB \(D_b\[Z\]\)/);
    expect(run("Affine.forward", Unscaled).status).toBe("passed");
  });

  it("catches a gradient that adds up over backward calls (the second round on one object)", () => {
    class Accumulating extends Affine {
      override backward(g: Tensor): Tensor {
        const before = this.gradW;
        const dX = super.backward(g);
        if (before) this.gradW = add(before, this.gradW!);
        return dX;
      }
    }
    const result = run("Affine.backward", Accumulating);
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/sets gradW and gradB to the gradient of that call alone/);
    expect(run("Affine.consistent", Accumulating).status).toBe("passed");
  });

  it("blames kept state only when a fresh object gets the second round right", () => {
    const backward = byId("Affine.backward");
    const [c] = fc.sample(backward.cases, { numRuns: 1, seed: 4 }) as LayerCase[];
    const [X, W, b] = c!.inputs as [Tensor, Tensor, Tensor];
    const scale = c!.constants![0] as number;
    const gradsAt = (x: Tensor, g: Tensor) => {
      const layer = new Affine(W, b, scale);
      layer.forward(x);
      return { inputGrad: layer.backward(g), paramGrads: [layer.gradW, layer.gradB] };
    };
    const first = gradsAt(X, c!.downstream);
    const right = gradsAt(c!.again!.input, c!.again!.downstream);
    const wrong = { inputGrad: mul(right.inputGrad, 2), paramGrads: right.paramGrads };
    const result = (fresh: typeof right) => ({
      output: reference(X, W, b, scale),
      ...first,
      again: {
        ...wrong,
        repeatInputGrad: wrong.inputGrad,
        repeatParamGrads: wrong.paramGrads,
        fresh,
      },
    });
    const ctx = { seed: 1, tolerance: { atol: 1e-6, rtol: 1e-5 }, wallMs: 0 };
    const plainBug = backward.judge(c, result(wrong), ctx);
    expect(plainBug.pass).toBe(false);
    expect(!plainBug.pass && plainBug.message).toMatch(/on a fresh object/);
    expect(!plainBug.pass && plainBug.message).not.toMatch(/used many times/);
    const keptState = backward.judge(c, result(right), ctx);
    expect(!keptState.pass && keptState.message).toMatch(
      /after a second forward \(other input\) and its backward on the same object[\s\S]*used many times/,
    );
  });

  it("charges a layer that writes into its input to .immutable alone, not to the second round", () => {
    class Scribbling extends Affine {
      override forward(x: Tensor): Tensor {
        const out = super.forward(x.clone());
        x.data[0] = x.data[0]! + 1;
        return out;
      }
    }
    for (let seed = 1; seed <= 5; seed++) {
      for (const id of ["Affine.forward", "Affine.backward", "Affine.consistent"])
        expect(run(id, Scribbling, seed).status, `${id}, seed ${seed}`).toBe("passed");
      expect(run("Affine.immutable", Scribbling, seed).status).toBe("failed");
    }
  });

  it("fails .shapes for a gradient field that is set before the first backward", () => {
    class Eager extends Affine {
      override gradB: Tensor | null = this.b;
    }
    const result = run("Affine.shapes", Eager);
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/Affine\.gradB should be null until the first backward/);
  });

  it("reports a missing class as the student's error", () => {
    const result = runCheckInProcess(byId("Affine.forward"), {}, { layers: {} });
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/src\/layers does not export a class Affine/);
  });
});

describe("layerChecks refuses a wrong spec when it is built", () => {
  const refuses = (edit: Partial<LayerSpec>, message: RegExp) =>
    expect(() => layerChecks({ ...spec, ...edit } as LayerSpec)).toThrow(message);

  it("names the builder, the layer and the field", () => {
    refuses(
      { module: "my layers" },
      /^layerChecks\(Affine\): module must be an identifier, got "my layers"$/,
    );
    refuses({ reference: undefined as never }, /reference must be a function/);
    refuses(
      { cases: fc.constant({} as never) },
      /give exactly one of inputs \(what to draw\) and cases/,
    );
    refuses({ inputs: undefined }, /give exactly one of inputs/);
    refuses(
      { points: { forward: 1 } as never },
      /points\.backward must be a finite number of 0 or more, got undefined/,
    );
    refuses(
      { points: { forward: 1, backward: 1, shape: 1 } as never },
      /points\.shape is not a check of this builder/,
    );
    refuses({ parameters: ["W", "b"] }, /two parameters read their gradient from the field grad/);
    refuses(
      { gradientNames: ["only one"] },
      /gradientNames must name the input's gradient and each parameter's \(3 names\)/,
    );
    refuses({ runs: 0 }, /runs must be a whole number of 1 or more, got 0/);
    refuses({ secondInput: 3 as never }, /secondInput must be a function of a shape/);
    refuses({ titleNote: "two\nlines" }, /titleNote must be a line of text/);
  });

  it("refuses a draw of the wrong make when it is drawn, naming what was drawn", () => {
    const [forward] = layerChecks({ ...spec, inputs: fc.constant([tensorArb] as never) });
    expect(() => fc.sample(forward!.cases, { numRuns: 1, seed: 1 })).toThrow(
      /^layerChecks\(Affine\): inputs must draw 3 kit Tensors \(the input, then 2 parameters\), drew \[function\]$/,
    );
  });
});
