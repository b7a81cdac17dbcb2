import { gemm } from "./internal/gemm.js";
import { describe, formatShape } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/**
 * The matrix product of a `[n, k]` and b `[k, m]`, shape `[n, m]`. Only 2-d operands, and no
 * broadcasting (einsum covers batches); throws for other ranks or inner sizes that differ.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  for (const [name, t] of [
    ["first", a],
    ["second", b],
  ] as const) {
    if (!(t instanceof Tensor))
      throw new Error(`matmul: ${name} operand must be a Tensor, got ${describe(t)}`);
    if (t.ndim !== 2) {
      throw new Error(
        `matmul: ${name} operand must be 2-d, got shape ${formatShape(t.shape)} (use einsum for other ranks)`,
      );
    }
  }
  const [n, k] = a.shape as [number, number];
  const [k2, m] = b.shape as [number, number];
  if (k !== k2) {
    throw new Error(
      `matmul: inner sizes differ: ${formatShape(a.shape)} times ${formatShape(b.shape)} needs ${k} == ${k2}`,
    );
  }
  const out = new Float64Array(n * m);
  gemm(1, n, k, m, a.data, b.data, out);
  return new Tensor(out, [n, m]);
}
