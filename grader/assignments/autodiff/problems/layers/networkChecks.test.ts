// The network checks catch planted mistakes in forwardLayers and backwardLayers.
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/layers";
import { ones, type Tensor } from "../../../../../reference/tensor/index.js";
import { type InProcessRun, runCheckInProcess } from "../../../../../testing/runCheckInProcess.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import { drivers } from "../../drivers.js";
import { layersProblem } from "../layers.js";

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

describe("problem 3: planted mistakes fail the intended check", () => {
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
