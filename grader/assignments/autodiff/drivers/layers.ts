import { Tensor } from "../../../../reference/tensor/index.js";
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

/** One layer check's run: the layer, its inputs and what to do with them. */
export interface LayerPayload {
  layer: LayerName;
  /** "forward": only `forward`; "full": a fresh layer's `forward` then `backward`. */
  mode: "forward" | "full";
  /** X, then the parameter for Linear (W) and Bias (b). */
  inputs: Tensor[];
  /** CrossEntropy's one-hot labels. */
  labels?: Tensor;
  downstream?: Tensor;
  /** Input lists at which to evaluate the forward of a fresh layer (finite differences). */
  probes?: Tensor[][];
  /**
   * A second round on the SAME layer object (HOMEWORK: a layer is used many times): "forward"
   * mode calls forward(input) again; "full" mode calls forward(input), backward(downstream), then
   * backward(downstream) once more (a backward repeated after one forward).
   */
  again?: { input: Tensor; downstream?: Tensor };
}

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

function method(layer: StudentLayer, name: "forward" | "backward", className: string) {
  const f = layer?.[name];
  if (typeof f !== "function") throw new Error(`${className} has no method ${name}`);
  return f;
}

/**
 * A copy of a kit tensor the submission returned or stored, taken before the layer is used again
 * (a later call might write into it); anything else is passed on for the wire to describe.
 */
const snapshot = (value: unknown): unknown =>
  value instanceof Tensor ? Tensor.prototype.clone.call(value) : value;

const runLayer: Driver = (modules, payload) => {
  const p = payload as LayerPayload;
  const module = modules.layers!;
  const [x, param] = p.inputs;
  const layer = buildLayer(module, p.layer, param, p.labels);
  const hasParam = p.layer === "Linear" || p.layer === "Bias";
  const gradBefore = hasParam ? layer.grad : null;
  const forward = method(layer, "forward", p.layer);
  const output = snapshot(forward.call(layer, x!));
  if (p.mode === "forward") {
    if (!p.again) return { output };
    return { output, again: { output: forward.call(layer, p.again.input) } };
  }
  const backward = method(layer, "backward", p.layer);
  const inputGrad = snapshot(backward.call(layer, p.downstream!));
  const paramGrad = hasParam ? snapshot(layer.grad) : null;
  let again: Record<string, unknown> | null = null;
  if (p.again) {
    const againOutput = snapshot(forward.call(layer, p.again.input));
    const againInputGrad = snapshot(backward.call(layer, p.again.downstream!));
    const againParamGrad = hasParam ? snapshot(layer.grad) : null;
    const repeatInputGrad = backward.call(layer, p.again.downstream!);
    again = {
      output: againOutput,
      inputGrad: againInputGrad,
      paramGrad: againParamGrad,
      repeatInputGrad,
      repeatParamGrad: hasParam ? layer.grad : null,
    };
  }
  const probeOutputs = (p.probes ?? []).map(([px, pparam]) => {
    const fresh = buildLayer(module, p.layer, pparam, p.labels);
    return method(fresh, "forward", p.layer).call(fresh, px!);
  });
  return {
    output,
    inputGrad,
    paramGrad,
    // null and undefined both travel as null; anything else is described by the wire.
    gradBeforeIsNull: gradBefore === null || gradBefore === undefined,
    gradBefore: gradBefore ?? null,
    // The very tensors that were passed in, read back after the calls.
    after: { inputs: p.inputs, labels: p.labels ?? null, downstream: p.downstream },
    probeOutputs,
    again,
  };
};

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

/** Drivers of problem checks on src/layers (run inside the sandboxed child; import only the kit). */
export const layersDrivers: Record<string, Driver> = {
  "layers.layer": runLayer,
  "layers.network": runNetwork,
};
