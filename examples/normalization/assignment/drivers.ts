import type { Driver } from "gradmark";
import { Tensor } from "gradmark/tensor";

/** What a check asks of a fresh BatchNorm: its forward alone, or forward then backward. */
export interface BatchNormPayload {
  mode: "forward" | "backward";
  x: Tensor;
  g?: Tensor;
}

interface StudentLayer {
  forward(x: Tensor): unknown;
  backward(g: Tensor): unknown;
}

/** A copy of a kit tensor taken at once (a later call could write into what was returned). */
const snapshot = (value: unknown): unknown =>
  value instanceof Tensor ? Tensor.prototype.clone.call(value) : value;

export const drivers: Record<string, Driver> = {
  batchNorm(modules, payload) {
    const { mode, x, g } = payload as BatchNormPayload;
    const BatchNorm = modules.layers!.BatchNorm;
    if (typeof BatchNorm !== "function")
      throw new Error("src/layers does not export a class BatchNorm");
    const layer = new (BatchNorm as new () => StudentLayer)();
    const out = snapshot(layer.forward(x));
    if (mode === "forward") return { out, xAfter: x };
    const grad = snapshot(layer.backward(g!));
    return { out, grad, xAfter: x, gAfter: g };
  },
};
