import { div, exp, max, sub, sum, type Tensor } from "../tensor/index.js";

/** Row-wise softmax of X [B, C], stabilised by subtracting each row's maximum. */
export function softmax(X: Tensor): Tensor {
  const shifted = sub(X, max(X, -1, true));
  const e = exp(shifted);
  return div(e, sum(e, -1, true));
}
