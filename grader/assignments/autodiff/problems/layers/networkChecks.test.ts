// The network checks catch planted mistakes in forwardLayers and backwardLayers.
import { describe, expect, it } from "vitest";
import * as solution from "../../../../../reference/solution/layers";
import { ones, type Tensor } from "../../../../../reference/tensor/index.js";
import { problemHarness } from "../../../../../testing/problemHarness.js";
import { layersProblem } from "../layers.js";

const { failsEverySeed, planted } = problemHarness(layersProblem, "layers", solution);

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
