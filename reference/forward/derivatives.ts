/**
 * Public reference forwards of problem 2 (HOMEWORK.md, "Problem 2: derivatives as tensors"):
 * the functions whose derivatives the problem asks for. The grader's expected derivatives are
 * finite differences of these, laid out as the lecture does (input dims, then output dims).
 */
import { add, matmul, mul, pow, stack, type Tensor } from "../tensor/index.js";
import { softmax } from "./softmax.js";

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

function expectShape(where: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((side, i) => side !== shape[i])) {
    throw new Error(`${where}: expected shape ${show(shape)}, got ${show(t.shape)}`);
  }
}

/** f(x) = (x1^2, x1 x2 x3), x `[3]` -> `[2]` (derivative: `jacobianSquareProd`). */
export function squareProd(x: Tensor): Tensor {
  expectShape("squareProd", x, [3]);
  const [x1, x2, x3] = [x.get(0), x.get(1), x.get(2)];
  return stack([mul(x1, x1), mul(mul(x1, x2), x3)]);
}

/** f(x1, x2) = (x2^2, x1 + x2, x1 x2), x `[2]` -> `[3]` (derivative: `jacobianMixed`). */
export function mixed(x: Tensor): Tensor {
  expectShape("mixed", x, [2]);
  const [x1, x2] = [x.get(0), x.get(1)];
  return stack([mul(x2, x2), add(x1, x2), mul(x1, x2)]);
}

/** X `[B, N]`, W `[N, M]` -> X W `[B, M]` (derivative with respect to X: `matmulDerivative`). */
export function linearMap(X: Tensor, W: Tensor): Tensor {
  return matmul(X, W);
}

/** Row-wise softmax of X `[B, C]` (its per-row Jacobians: `softmaxRowJacobians`). */
export function rowSoftmax(X: Tensor): Tensor {
  if (X.ndim !== 2) throw new Error(`rowSoftmax: expected X [B, C], got ${show(X.shape)}`);
  return softmax(X);
}

/** f(x, y) = x * y element-wise. */
export function elementwiseProduct(x: Tensor, y: Tensor): Tensor {
  return mul(x, y);
}

/** g(z) = f(z, 2z) = z * 2z, z `[n]` -> `[n]` (derivative: `reuseDerivative`). */
export function reuseComposite(z: Tensor): Tensor {
  return elementwiseProduct(z, mul(z, 2));
}

/** g(K) = K^2 of the chain-rule example. */
export const chainG = (K: Tensor): Tensor => pow(K, 2);
/** f(X, Y) = X Y of the chain-rule example. */
export const chainF = (X: Tensor, Y: Tensor): Tensor => mul(X, Y);
/** h(Z, W) = Z + W of the chain-rule example. */
export const chainH = (Z: Tensor, W: Tensor): Tensor => add(Z, W);

/**
 * g(f(x, h(z, w))) for 0-d tensors x, z, w: `chainRuleExample(x, z, w)` is its derivative with
 * respect to w (input 2), which is 2 x^2 (z + w).
 */
export function chainRuleComposite(x: Tensor, z: Tensor, w: Tensor): Tensor {
  return chainG(chainF(x, chainH(z, w)));
}
