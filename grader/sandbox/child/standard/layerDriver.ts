/**
 * The driver of `layerChecks`: builds a fresh object of the submission's layer class, runs its
 * forward and backward on the payload's tensors, and returns the raw results. Layers follow the
 * assignment convention: `new Layer(...parameters, ...constants)`, `forward(input)`,
 * `backward(downstream)` returning the input's gradient, and each parameter's gradient in a field
 * of the object (`grad` by default).
 */
import { Tensor } from "../../../../reference/tensor/index.js";
import type { Driver } from "../driver.js";

/** One run of a layer check: which class, on what, and what to do with it. */
export interface LayerPayload {
  /** The src/ module and the class it exports. */
  module: string;
  exportName: string;
  /** "forward": only `forward`; "full": a fresh layer's `forward` then `backward`. */
  mode: "forward" | "full";
  /** The input, then the parameters (given to the constructor first). */
  inputs: Tensor[];
  /** Constructor arguments after the parameters, not differentiated (labels, a stride). */
  constants: unknown[];
  /** The field holding each parameter's gradient after `backward`. */
  gradFields: string[];
  downstream?: Tensor;
  /** Input lists at which to evaluate the forward of a fresh layer (finite differences). */
  probes?: Tensor[][];
  /**
   * A second round on the SAME layer object (a layer is used many times): "forward" mode calls
   * forward(input) again; "full" mode calls forward(input), backward(downstream), then
   * backward(downstream) once more. Each mode also makes the second round's calls on a fresh
   * object, so that a judge can tell a layer that keeps state from one that is wrong there.
   */
  again?: { input: Tensor; downstream?: Tensor };
}

/** A layer object of the submission, as the driver uses it. */
interface StudentLayer {
  forward(input: Tensor): unknown;
  backward(downstreamGrad: Tensor): unknown;
  [field: string]: unknown;
}
type LayerClass = new (...args: unknown[]) => StudentLayer;

function build(
  modules: Record<string, Record<string, unknown>>,
  p: LayerPayload,
  parameters: readonly Tensor[],
): StudentLayer {
  const Class = modules[p.module]![p.exportName];
  if (typeof Class !== "function")
    throw new Error(`src/${p.module} does not export a class ${p.exportName}`);
  return new (Class as LayerClass)(...parameters, ...p.constants);
}

function method(layer: StudentLayer, name: "forward" | "backward", className: string) {
  const f = layer?.[name];
  if (typeof f !== "function") throw new Error(`${className} has no method ${name}`);
  return f as (this: StudentLayer, arg: Tensor) => unknown;
}

/**
 * A copy of a kit tensor the submission returned or stored, taken before the layer is used again
 * (a later call might write into it); anything else is passed on for the wire to describe.
 */
const snapshot = (value: unknown): unknown =>
  value instanceof Tensor ? Tensor.prototype.clone.call(value) : value;

export const layerDriver: Driver = (modules, payload) => {
  const p = payload as LayerPayload;
  const [x, ...parameters] = p.inputs;
  // The fresh object of the second round gets copies taken before any student call: a layer
  // that writes into its input must not change what the fresh object is given.
  const pristine = p.again && {
    input: snapshot(p.again.input) as Tensor,
    downstream: p.again.downstream && (snapshot(p.again.downstream) as Tensor),
    parameters: parameters.map((t) => snapshot(t) as Tensor),
  };
  const layer = build(modules, p, parameters);
  const gradsBefore = p.gradFields.map((field) => layer[field]);
  const forward = method(layer, "forward", p.exportName);
  const output = snapshot(forward.call(layer, x!));
  if (p.mode === "forward") {
    if (!p.again) return { output };
    const againOutput = snapshot(forward.call(layer, p.again.input));
    // The same input on a fresh object: tells a layer that keeps state from a plain bug.
    const fresh = build(modules, p, pristine!.parameters);
    const freshOutput = method(fresh, "forward", p.exportName).call(fresh, pristine!.input);
    return { output, again: { output: againOutput, freshOutput } };
  }
  const backward = method(layer, "backward", p.exportName);
  const inputGrad = snapshot(backward.call(layer, p.downstream!));
  const paramGrads = p.gradFields.map((field) => snapshot(layer[field]));
  let again: Record<string, unknown> | null = null;
  if (p.again) {
    const againOutput = snapshot(forward.call(layer, p.again.input));
    const againInputGrad = snapshot(backward.call(layer, p.again.downstream!));
    const againParamGrads = p.gradFields.map((field) => snapshot(layer[field]));
    const repeatInputGrad = backward.call(layer, p.again.downstream!);
    const repeatParamGrads = p.gradFields.map((field) => layer[field]);
    // The same input and downstream gradient on a fresh object (see forward mode).
    const fresh = build(modules, p, pristine!.parameters);
    method(fresh, "forward", p.exportName).call(fresh, pristine!.input);
    const freshInputGrad = snapshot(
      method(fresh, "backward", p.exportName).call(fresh, pristine!.downstream!),
    );
    again = {
      output: againOutput,
      inputGrad: againInputGrad,
      paramGrads: againParamGrads,
      repeatInputGrad,
      repeatParamGrads,
      fresh: {
        inputGrad: freshInputGrad,
        paramGrads: p.gradFields.map((field) => fresh[field]),
      },
    };
  }
  const probeOutputs = (p.probes ?? []).map(([px, ...pparameters]) => {
    const fresh = build(modules, p, pparameters);
    return method(fresh, "forward", p.exportName).call(fresh, px!);
  });
  return {
    output,
    inputGrad,
    paramGrads,
    // null and undefined both travel as null; anything else is described by the wire.
    gradsBeforeAreNull: gradsBefore.map((g) => g === null || g === undefined),
    gradsBefore: gradsBefore.map((g) => g ?? null),
    // The very tensors that were passed in, read back after the calls.
    after: { inputs: p.inputs, constants: p.constants, downstream: p.downstream },
    probeOutputs,
    again,
  };
};
