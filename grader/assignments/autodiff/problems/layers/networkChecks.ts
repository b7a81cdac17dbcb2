/**
 * Problem 3's networks: forwardLayers and backwardLayers on random stacks of the submission's
 * layers, against the reference composition and finite differences of it.
 */
import fc from "fast-check";
import { layerStackArb, numericalVjp } from "../../../../../checks/index.js";
import { applyLayers, type ReferenceLayer } from "../../../../../reference/forward/layers.js";
import { scalar, type Tensor } from "../../../../../reference/tensor/index.js";
import { field } from "../../../../authoring/builders/internal/field.js";
import {
  describeResult,
  expectTensor,
  fail,
  PASS,
  showValue,
} from "../../../../authoring/judge.js";
import type { CheckDefinition } from "../../../../authoring/types.js";
import type { NetworkPayload } from "../../drivers/layers.js";

interface NetworkCase {
  layers: ReferenceLayer[];
  input: Tensor;
  batch: number;
}

const toCase = (spec: { layers: ReferenceLayer[]; input: Tensor; batch: number }): NetworkCase => ({
  layers: spec.layers,
  input: spec.input,
  batch: spec.batch,
});

const networkForwardCases: fc.Arbitrary<NetworkCase> = fc
  .oneof(
    layerStackArb({ specialValues: true }),
    layerStackArb({ finalActivation: true, batchDiffersFromWidth: true }),
    layerStackArb({ withSoftmaxCrossEntropy: true }),
    layerStackArb({ withBias: false, activations: ["sigmoid"], batch: 1 }),
  )
  .map(toCase);

const networkBackwardCases: fc.Arbitrary<NetworkCase> = fc
  .oneof(
    layerStackArb({ withSoftmaxCrossEntropy: true }),
    layerStackArb({
      withSoftmaxCrossEntropy: true,
      batchDiffersFromWidth: true,
      specialValues: true,
    }),
    layerStackArb({ withSoftmaxCrossEntropy: true, batch: 1, maxDepth: 2 }),
  )
  .map(toCase);

function describeLayer(layer: ReferenceLayer, index: number): string {
  switch (layer.kind) {
    case "linear":
      return `layer ${index} (Linear, W [${layer.weights.shape.join(", ")}])`;
    case "bias":
      return `layer ${index} (Bias, b [${layer.bias.shape.join(", ")}])`;
    default:
      return `layer ${index} (${layer.kind})`;
  }
}

function showNetwork(c: NetworkCase): string {
  const names = c.layers.map((l, i) => describeLayer(l, i)).join(", ");
  return `${names}\n${showValue({ input: c.input, layers: c.layers })}`;
}

function networkPayload(c: NetworkCase, mode: "forward" | "backward"): NetworkPayload {
  return { mode, layers: c.layers, input: c.input };
}

/** The network with the parameter of layer `index` replaced. */
function withParameter(
  layers: readonly ReferenceLayer[],
  index: number,
  p: Tensor,
): ReferenceLayer[] {
  return layers.map((layer, i) => {
    if (i !== index) return layer;
    if (layer.kind === "linear") return { kind: "linear", weights: p };
    if (layer.kind === "bias") return { kind: "bias", bias: p };
    return layer;
  });
}

/** forwardLayers and backwardLayers on random stacks of the submission's layers. */
export const networkChecks: CheckDefinition<NetworkCase>[] = [
  {
    id: "3.network.forward",
    title: "forwardLayers on random stacks of your layers against the reference composition",
    points: 2,
    cases: networkForwardCases,
    driver: "layers.network",
    payload: (c) => networkPayload(c, "forward"),
    judge: (c, result, ctx) =>
      expectTensor(field(result, "output"), applyLayers(c.layers, c.input), {
        name: "forwardLayers(layers, input)",
        tolerance: ctx.tolerance,
        context: { batchSize: c.batch },
      }),
    show: showNetwork,
  },
  {
    id: "3.network.backward",
    title:
      "backwardLayers on random stacks ending in SoftMax and CrossEntropy: every parameter's grad against finite differences of the reference composition",
    points: 4,
    cases: networkBackwardCases,
    driver: "layers.network",
    payload: (c) => networkPayload(c, "backward"),
    judge: (c, result, ctx) => {
      const grads = field(result, "grads");
      if (!Array.isArray(grads) || grads.length !== c.layers.length) {
        return fail(
          `backwardLayers: could not read the layers' grad fields (${describeResult(grads)})`,
        );
      }
      const seed = scalar(1);
      for (let i = c.layers.length - 1; i >= 0; i--) {
        const layer = c.layers[i]!;
        if (layer.kind !== "linear" && layer.kind !== "bias") continue;
        const parameter = layer.kind === "linear" ? layer.weights : layer.bias;
        const expected = numericalVjp(
          (p: Tensor) => applyLayers(withParameter(c.layers, i, p), c.input),
          [parameter],
          seed,
        );
        const verdict = expectTensor(grads[i], expected, {
          name: `after forwardLayers and backwardLayers, ${describeLayer(layer, i)}.grad`,
          tolerance: ctx.tolerance,
          context: { batchSize: c.batch },
        });
        if (!verdict.pass) return verdict;
      }
      return PASS;
    },
    show: showNetwork,
  },
];
