/**
 * Problem 2: derivatives as tensors (staff solution).
 *
 * Layout everywhere: D[f](x) has shape shape(x) ++ shape(f(x)), entry [i..., j...] = df_j/dx_i.
 */
import {
  add,
  div,
  einsum,
  exp,
  eye,
  max,
  mul,
  sub,
  sum,
  type Tensor,
  tensor,
} from "gradmark/tensor";

const show = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

function expectShape(where: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((side, i) => side !== shape[i])) {
    throw new Error(`${where}: ${name} must have shape ${show(shape)}, got ${show(t.shape)}`);
  }
}

/** f(x) = (x1^2, x1 x2 x3): one row per input x_i, one column per output f_j. */
export function jacobianSquareProd(x: Tensor): Tensor {
  expectShape("jacobianSquareProd", "x", x, [3]);
  const [x1, x2, x3] = x.data;
  return tensor([
    [2 * x1, x2 * x3],
    [0, x1 * x3],
    [0, x1 * x2],
  ]);
}

/** f(x1, x2) = (x2^2, x1 + x2, x1 x2). */
export function jacobianMixed(x: Tensor): Tensor {
  expectShape("jacobianMixed", "x", x, [2]);
  const [x1, x2] = x.data;
  return tensor([
    [0, 1, x2],
    [2 * x2, 1, x1],
  ]);
}

/**
 * D_X[XW][b, n, c, m] = d(XW)[c, m] / dX[b, n] = delta(b, c) W[n, m]: row c of XW only sees row
 * c of X, so the derivative is block-diagonal over the batch.
 */
export function matmulDerivative(X: Tensor, W: Tensor): Tensor {
  if (X.ndim !== 2 || W.ndim !== 2 || X.shape[1] !== W.shape[0]) {
    throw new Error(
      `matmulDerivative: expected X [B, N] and W [N, M], got ${show(X.shape)} and ${show(W.shape)}`,
    );
  }
  return einsum("bc,nm->bncm", eye(X.shape[0]!), W);
}

/** Row-wise softmax, stable: subtracting the row max changes nothing but avoids overflow. */
function softmaxRows(X: Tensor): Tensor {
  const e = exp(sub(X, max(X, 1, true)));
  return div(e, sum(e, 1, true));
}

/**
 * out[b, i, j] = d s_j / d x_i for s = softmax(x_b): s_j (delta_ij - s_i). The matrix is
 * symmetric, so the layout question (input index first) does not bite here, but we keep it.
 */
export function softmaxRowJacobians(X: Tensor): Tensor {
  if (X.ndim !== 2) {
    throw new Error(`softmaxRowJacobians: expected X [B, C], got ${show(X.shape)}`);
  }
  const C = X.shape[1]!;
  const S = softmaxRows(X);
  // diag(s) - s s^T, row by row.
  const diagonal = einsum("bj,ij->bij", S, eye(C));
  const outer = einsum("bi,bj->bij", S, S);
  return sub(diagonal, outer);
}

/**
 * g(z) = f(z, 2z) with f(x, y) = x * y. The re-using-inputs rule sums the derivative along each
 * use: D[g](z) = D_X[f](z, 2z) + 2 D_Y[f](z, 2z) = diag(2z) + 2 diag(z).
 */
export function reuseDerivative(z: Tensor): Tensor {
  if (z.ndim !== 1) throw new Error(`reuseDerivative: expected z [n], got ${show(z.shape)}`);
  const identity = eye(z.shape[0]!);
  const y = mul(z, 2);
  const dX = einsum("i,ij->ij", y, identity); // D_X[x * y] = diag(y)
  const dY = einsum("i,ij->ij", z, identity); // D_Y[x * y] = diag(x)
  return add(dX, mul(dY, 2));
}

/**
 * d/dw of g(f(x, h(z, w))) with g(K) = K^2, f(X, Y) = XY, h(Z, W) = Z + W, by the chain rule
 * D_W[h] D_Y[f] D[g] (each factor evaluated at its own input).
 */
export function chainRuleExample(x: number, z: number, w: number): number {
  const y = z + w; // h(z, w)
  const k = x * y; // f(x, y)
  const dhdw = 1;
  const dfdy = x;
  const dgdk = 2 * k;
  return dhdw * dfdy * dgdk;
}
