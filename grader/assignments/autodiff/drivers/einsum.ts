import type { Tensor } from "../../../../reference/tensor/index.js";
import type { Driver } from "../../../sandbox/child/driver.js";

interface EinSumLike {
  forwardCall(...operands: Tensor[]): unknown;
  backwardCall(downstreamGrad: Tensor): unknown;
}

type EinSumClass = new (spec: string) => EinSumLike;

/** The submission's `EinSum` class, or a clear error. */
function einSumClass(modules: Record<string, Record<string, unknown>>): EinSumClass {
  const value = modules.einsum!.EinSum;
  if (typeof value !== "function") {
    const found = value === undefined ? "nothing by that name" : `a ${typeof value}`;
    throw new Error(`src/einsum must export a class EinSum, found ${found}`);
  }
  return value as EinSumClass;
}

interface ForwardPayload {
  spec: string;
  operands: Tensor[];
}

interface BackwardPayload extends ForwardPayload {
  grad: Tensor;
  /** Operand lists at which to evaluate forwardCall again (each on a fresh EinSum). */
  probes?: Tensor[][];
}

/** Drivers of problem checks on src/einsum (run inside the sandboxed child; import only the kit). */
export const einsumDrivers: Record<string, Driver> = {
  /** `new EinSum(spec).forwardCall(...operands)`. */
  "einsum.forward": (modules, payload) => {
    const { spec, operands } = payload as ForwardPayload;
    const EinSum = einSumClass(modules);
    const out = new EinSum(spec).forwardCall(...operands);
    return { out, operandsAfter: operands };
  },
  /**
   * forwardCall, then backwardCall(grad) on the same EinSum; then, for the self-consistency
   * check, forwardCall of fresh EinSums at the probe points.
   */
  "einsum.backward": (modules, payload) => {
    const { spec, operands, grad, probes } = payload as BackwardPayload;
    const EinSum = einSumClass(modules);
    const op = new EinSum(spec);
    const out = op.forwardCall(...operands);
    const grads = op.backwardCall(grad);
    const probeOutputs = (probes ?? []).map((point) => new EinSum(spec).forwardCall(...point));
    return { out, grads, probeOutputs, operandsAfter: operands, gradAfter: grad };
  },
};
