import { describe, expect, it } from "vitest";
import * as starterLayers from "../../../../fixtures/starter/src/layers";
import * as starterTraining from "../../../../fixtures/starter/src/training";
import * as layers from "../../../../reference/solution/layers";
import * as training from "../../../../reference/solution/training";
import { add, mul, type Tensor, tensor } from "../../../../reference/tensor/index.js";
import { type InProcessRun, runCheckInProcess } from "../../../../testing/runCheckInProcess.js";
import { throughWire } from "../../../../testing/throughWire.js";
import type { CheckDefinition } from "../../../authoring/types.js";
import { runCheck } from "../../../engine/runCheck.js";
import { FloatPack } from "../../../sandbox/protocol/FloatPack.js";
import type { BatchResult, Sandbox } from "../../../sandbox/Sandbox.js";
import { drivers } from "../drivers.js";
import { autodiff } from "../index.js";
import {
  ACCURACY_MARGIN,
  LAYERS_FIRST,
  REFERENCE_ACCURACY,
  REQUIRED_ACCURACY,
  TRAINING_SEEDS,
  trainingProblem,
  trainingThrewNote,
} from "./training.js";

type Module = Record<string, unknown>;

function check(id: string): CheckDefinition {
  const found = trainingProblem.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function run(id: string, modules: Record<string, Module>, seed = 1): InProcessRun {
  return runCheckInProcess(check(id), drivers, modules, { seed });
}

const solution = { layers, training };
const withTraining = (replacements: Module) => ({
  layers,
  training: { ...training, ...replacements },
});

/** sgdStep that adds the gradient (ascent). */
function ascentStep(ls: readonly layers.Layer[], lr: number): void {
  for (const layer of ls) {
    if (layer.parameter && layer.grad) layer.parameter = add(layer.parameter, mul(lr, layer.grad));
  }
}

/** sgdStep that writes into the old parameter. */
function inPlaceStep(ls: readonly layers.Layer[], lr: number): void {
  for (const layer of ls) {
    const p = layer.parameter;
    const g = layer.grad;
    if (!p || !g) continue;
    for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! - lr * g.data[i]!;
  }
}

describe("problem 6: the definition", () => {
  it("has id 6, the title of HOMEWORK.md and checks worth 5 points with unique ids", () => {
    expect(trainingProblem.id).toBe("6");
    expect(trainingProblem.title).toBe("Training a classifier");
    expect(trainingProblem.module).toBe("training");
    expect(trainingProblem.checks.reduce((s, c) => s + c.points, 0)).toBeCloseTo(5, 9);
    const ids = trainingProblem.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of trainingProblem.checks) {
      expect(c.id).toMatch(/^6\./);
      expect(drivers).toHaveProperty(c.driver);
    }
    const train = check("6.training.accuracy");
    expect(train.runs).toBe(1);
    expect(REQUIRED_ACCURACY).toBeCloseTo(REFERENCE_ACCURACY - ACCURACY_MARGIN, 12);
  });
});

describe("problem 6: the staff solution", () => {
  it("passes sgdStep and accuracy for 30 seeds", () => {
    for (const id of ["6.sgdStep", "6.sgdStep.immutable", "6.accuracy"]) {
      for (let seed = 1; seed <= 30; seed++) {
        const result = run(id, solution, seed);
        expect(result.status, `${id}, seed ${seed}: ${result.message}`).toBe("passed");
      }
    }
  });

  it("reaches at least the recorded reference accuracy on every training seed", () => {
    const c = check("6.training.accuracy");
    const context = { seed: 1, tolerance: { atol: 1e-6, rtol: 1e-5 }, wallMs: 0 };
    let lowest = 1;
    for (const seed of TRAINING_SEEDS) {
      const result = throughWire(
        (payload) => drivers["training.train"]!(solution, payload),
        c.payload(seed),
      ) as { driverAccuracy: number; accuracy: number };
      lowest = Math.min(lowest, result.driverAccuracy);
      expect(result.accuracy).toBe(result.driverAccuracy);
      expect(c.judge(seed, result, context), `seed ${seed}`).toEqual({ pass: true });
    }
    // The recorded figure is the measured minimum.
    expect(lowest).toBeCloseTo(REFERENCE_ACCURACY, 12);
  }, 60_000);
});

describe("problem 6: the starter", () => {
  it("is not implemented in every check", () => {
    for (const c of trainingProblem.checks) {
      const result = runCheckInProcess(
        c,
        drivers,
        { layers: starterLayers, training: starterTraining },
        { seed: 1 },
      );
      expect(result.status, c.id).toBe("not-implemented");
    }
  });
});

describe("problem 6: planted mistakes fail the intended check", () => {
  it("SGD that adds the gradient fails 6.sgdStep (with a hint) and 6.training.accuracy", () => {
    const planted = withTraining({ sgdStep: ascentStep });
    for (let seed = 1; seed <= 5; seed++) {
      const result = run("6.sgdStep", planted, seed);
      expect(result.status).toBe("failed");
      expect(result.message).toMatch(/parameter \+ lr \* grad/);
    }
    const trained = run("6.training.accuracy", planted);
    expect(trained.status).toBe("failed");
    expect(trained.message).toMatch(/held-out points.*below the required/s);
  });

  it("sgdStep that writes into the old parameter fails 6.sgdStep.immutable, not 6.sgdStep", () => {
    const planted = withTraining({ sgdStep: inPlaceStep });
    for (let seed = 1; seed <= 5; seed++) {
      expect(run("6.sgdStep", planted, seed).status).toBe("passed");
      const result = run("6.sgdStep.immutable", planted, seed);
      expect(result.status).toBe("failed");
      // Either of its two faults, whichever the first failing case shows.
      expect(result.message).toMatch(/old parameter.*modified|still the old tensor object/);
    }
  });

  it("accuracy that counts hits instead of the fraction fails 6.accuracy", () => {
    const accuracy = (p: Tensor, l: Tensor) => training.accuracy(p, l) * l.shape[0]!;
    for (let seed = 1; seed <= 5; seed++) {
      expect(run("6.accuracy", withTraining({ accuracy }), seed).status).toBe("failed");
    }
  });

  it("a network with a wrong layer gradient does not train: 6.training.accuracy fails", () => {
    class Linear extends layers.Linear {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.grad = mul(this.grad!, -1);
        return dX;
      }
    }
    const result = run("6.training.accuracy", { layers: { ...layers, Linear }, training });
    expect(result.status).toBe("failed");
  });
});

describe("problem 6: stubs earn nothing (issue 14)", () => {
  /** sgdStep stubs: no step (a new copy, old tensors untouched), zeros of the right shape. */
  const copyStep = (ls: readonly layers.Layer[]): void => {
    for (const layer of ls)
      if (layer.parameter && layer.grad) layer.parameter = add(layer.parameter, 0);
  };
  const zeroStep = (ls: readonly layers.Layer[]): void => {
    for (const layer of ls) {
      if (layer.parameter && layer.grad) layer.parameter = mul(layer.parameter, 0);
    }
  };

  it("sgdStep stubs fail 6.sgdStep under seeds 1-50, and 6.sgdStep.immutable requires it", () => {
    for (const sgdStep of [copyStep, zeroStep, () => undefined]) {
      for (let seed = 1; seed <= 50; seed++) {
        const result = run("6.sgdStep", withTraining({ sgdStep }), seed);
        expect(result.status, `${sgdStep.name} seed ${seed}`).toBe("failed");
      }
    }
    // The copy stub leaves the old tensors alone and sets new ones: only `requires` stops it.
    expect(run("6.sgdStep.immutable", withTraining({ sgdStep: copyStep })).status).toBe("passed");
    expect(check("6.sgdStep.immutable").requires).toEqual(["6.sgdStep"]);
  });

  it("accuracy stubs (constants, the chance level) fail 6.accuracy under seeds 1-50", () => {
    const stubs: Record<string, (p: Tensor, l: Tensor) => number> = {
      zero: () => 0,
      one: () => 1,
      half: () => 0.5,
      chance: (_p, l) => 1 / l.shape[1]!,
    };
    for (const [name, accuracy] of Object.entries(stubs)) {
      for (let seed = 1; seed <= 50; seed++) {
        const result = run("6.accuracy", withTraining({ accuracy }), seed);
        expect(result.status, `${name} seed ${seed}`).toBe("failed");
      }
    }
  });

  it("training with an sgdStep that does not step fails 6.training.accuracy", () => {
    const result = run("6.training.accuracy", withTraining({ sgdStep: copyStep }));
    expect(result.status).toBe("failed");
  });
});

describe("problem 6: NaN and Infinity never pass a judge (issue 13)", () => {
  it("a NaN in the held-out SoftMax output fails 6.training.accuracy even when the arg-max accuracy is high", () => {
    // One NaN in row 0, in a column that is not its arg-max: the arg-max accuracy stays high.
    const forwardLayers = (ls: readonly layers.Layer[], x: Tensor): Tensor => {
      const out = layers.forwardLayers(ls, x);
      if (out.ndim !== 2 || out.shape[0]! < 100) return out;
      const data = out.data.slice();
      const width = out.shape[1]!;
      let smallest = 0;
      for (let c = 1; c < width; c++) if (data[c]! < data[smallest]!) smallest = c;
      data[smallest] = Number.NaN;
      return tensor(data, out.shape);
    };
    const result = run("6.training.accuracy", {
      layers: { ...layers, forwardLayers },
      training,
    });
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/NaN at \[0, \d\]/);
  }, 30_000);
});

describe("problem 6: an error in training points at the layers first (issue 14)", () => {
  const broadcast =
    "threw Error: sub: cannot broadcast shapes [2, 32] and [32, 2]: axis -1 has sizes 32 and 2 (sizes must match or be 1)\n    at Object.sgdStep (src/training.ts:13:58)";

  it("names a parameter and grad of different shapes in sgdStep, and the layer checks to fix first", () => {
    const note = trainingThrewNote(broadcast);
    expect(note).toMatch(/^in sgdStep a layer's parameter and its grad have different shapes/);
    expect(note).toContain("[2, 32] and [32, 2], the one the transpose of the other");
    expect(note).toContain("3.Linear.shapes");
    expect(note).toContain("your sgdStep may well be right");
    expect(
      trainingThrewNote(broadcast.replace("[32, 2]", "[4, 16]").replace("sizes 32 and 2", "x")),
    ).toContain("[2, 32] and [4, 16], the same number of elements in another shape)");
  });

  it("falls back to the general sentence for other errors, or errors outside sgdStep", () => {
    expect(
      trainingThrewNote(
        "threw TypeError: x is undefined\n    at Linear.backward (src/layers.ts:5:1)",
      ),
    ).toBe(`${LAYERS_FIRST}.`);
    expect(
      trainingThrewNote(
        broadcast.replace(
          "at Object.sgdStep (src/training.ts:13:58)",
          "at Bias.backward (src/layers.ts:80:3)",
        ),
      ),
    ).toBe(`${LAYERS_FIRST}.`);
  });

  it("adds the note to the error runCheck reports when the training run throws", async () => {
    const trainingCheck = check("6.training.accuracy");
    const sandbox = {
      run(): Promise<BatchResult> {
        return Promise.resolve({
          kind: "outcomes",
          outcomes: [
            {
              kind: "threw",
              name: "Error",
              message:
                "sub: cannot broadcast shapes [2, 32] and [32, 2]: axis -1 has sizes 32 and 2 (sizes must match or be 1)",
              stack:
                "Error: sub: cannot broadcast\n    at broadcastShapes (/kit/tensor.js:1:1)\n    at Object.sgdStep (/sub/src/training.ts:13:58)\n    at trainClassifier (/kit/trainClassifier.js:9:9)",
            },
          ],
          floats: new FloatPack().finish(),
          wallMs: 1,
        });
      },
    } as unknown as Sandbox;
    const result = await runCheck(trainingCheck, autodiff, sandbox, {
      seed: 1,
      deadline: performance.now() + 60_000,
      srcDir: "/sub/src",
    });
    expect(result.status).toBe("error");
    expect(result.message).toMatch(
      /^threw Error: sub: cannot broadcast shapes \[2, 32\] and \[32, 2\].*\n {4}at Object\.sgdStep \(src\/training\.ts:13:58\)\n {2}in sgdStep a layer's parameter and its grad have different shapes/s,
    );
  });

  it("says the layers may be at fault when a network with a wrong layer gradient does not train", () => {
    class Linear extends layers.Linear {
      override backward(g: Tensor): Tensor {
        const dX = super.backward(g);
        this.grad = mul(this.grad!, -1);
        return dX;
      }
    }
    const result = run("6.training.accuracy", { layers: { ...layers, Linear }, training });
    expect(result.status).toBe("failed");
    expect(result.message).toContain(
      "training uses your layers: if a 3.* check fails (for example a gradient of the wrong shape), fix that first — this result may come from it.",
    );
  });
});
