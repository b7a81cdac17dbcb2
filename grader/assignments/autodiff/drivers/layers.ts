import type { Tensor } from "../../../../reference/tensor/index.js";
import type { Driver } from "../../../sandbox/child/driver.js";

/** A layer object of the submission, as the drivers use it. */
interface StudentLayer {
  forward(input: Tensor): unknown;
  backward(downstreamGrad: Tensor): unknown;
  parameter?: unknown;
  grad?: unknown;
}
type LayerClass = new (...args: unknown[]) => StudentLayer;

export type LayerName = "Linear" | "Bias" | "ReLU" | "Sigmoid" | "SoftMax" | "CrossEntropy";

/** A network of the student's layers from the plain-data description of layerStackArb. */
export interface NetworkPayload {
  mode: "forward" | "backward";
  layers: (
    | { kind: "linear"; weights: Tensor }
    | { kind: "bias"; bias: Tensor }
    | { kind: "relu" }
    | { kind: "sigmoid" }
    | { kind: "softmax" }
    | { kind: "crossEntropy"; labels: Tensor }
  )[];
  input: Tensor;
}

function layerClass(module: Record<string, unknown>, name: string): LayerClass {
  const value = module[name];
  if (typeof value !== "function") throw new Error(`src/layers does not export a class ${name}`);
  return value as LayerClass;
}

/** A fresh layer built from the student's class (param: W or b; labels for CrossEntropy). */
export function buildLayer(
  module: Record<string, unknown>,
  name: LayerName,
  param: Tensor | undefined,
  labels: Tensor | undefined,
): StudentLayer {
  const Class = layerClass(module, name);
  if (name === "Linear" || name === "Bias") return new Class(param);
  if (name === "CrossEntropy") return new Class(labels);
  return new Class();
}

const NAMES: Record<NetworkPayload["layers"][number]["kind"], LayerName> = {
  linear: "Linear",
  bias: "Bias",
  relu: "ReLU",
  sigmoid: "Sigmoid",
  softmax: "SoftMax",
  crossEntropy: "CrossEntropy",
};

const runNetwork: Driver = (modules, payload) => {
  const p = payload as NetworkPayload;
  const module = modules.layers!;
  const layers = p.layers.map((spec) => {
    const param =
      spec.kind === "linear" ? spec.weights : spec.kind === "bias" ? spec.bias : undefined;
    const labels = spec.kind === "crossEntropy" ? spec.labels : undefined;
    return buildLayer(module, NAMES[spec.kind], param, labels);
  });
  const forwardLayers = module.forwardLayers;
  if (typeof forwardLayers !== "function")
    throw new Error("src/layers does not export forwardLayers");
  const output = forwardLayers(layers, p.input);
  if (p.mode === "forward") return { output };
  const backwardLayers = module.backwardLayers;
  if (typeof backwardLayers !== "function")
    throw new Error("src/layers does not export backwardLayers");
  backwardLayers(layers);
  return {
    output,
    grads: layers.map((layer, i) => {
      const kind = p.layers[i]!.kind;
      return kind === "linear" || kind === "bias" ? (layer.grad ?? null) : null;
    }),
  };
};

/** Drivers of problem checks on src/layers (a layer alone runs in gradmark's own layer driver) (run inside the sandboxed child; import only the kit). */
export const layersDrivers: Record<string, Driver> = {
  "layers.network": runNetwork,
};
