import { broadcastShapes, broadcastStrides } from "./internal/broadcast.js";
import { describe, sameShape, shapeSize } from "./internal/shape.js";
import { Tensor } from "./Tensor.js";

/** An operand of an element-wise function: a tensor, or a number standing for a 0-d tensor. */
export type TensorLike = Tensor | number;

/**
 * `value` as a tensor: a tensor itself, a number as a new 0-d tensor. Throws an Error naming
 * `where` for anything else.
 */
export function asTensor(value: TensorLike, where: string): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === "number") return new Tensor(Float64Array.of(value), []);
  throw new Error(`${where}: expected a Tensor or a number, got ${describe(value)}`);
}

function unary(x: TensorLike, where: string, fn: (v: number) => number): Tensor {
  const t = asTensor(x, where);
  const src = t.data;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = fn(src[i]!);
  return new Tensor(out, t.shape);
}

function binary(
  x: TensorLike,
  y: TensorLike,
  where: string,
  fn: (a: number, b: number) => number,
): Tensor {
  // A tensor and a plain number (mul(x, 2)): the number is a 0-d tensor, which broadcasts to
  // the tensor's shape; done directly, without making that tensor.
  if (typeof y === "number" && x instanceof Tensor) {
    const xd = x.data;
    const out = new Float64Array(xd.length);
    for (let i = 0; i < xd.length; i++) out[i] = fn(xd[i]!, y);
    return new Tensor(out, x.shape);
  }
  if (typeof x === "number" && y instanceof Tensor) {
    const yd = y.data;
    const out = new Float64Array(yd.length);
    for (let i = 0; i < yd.length; i++) out[i] = fn(x, yd[i]!);
    return new Tensor(out, y.shape);
  }
  // The messages are built only when an operand is wrong.
  const a = x instanceof Tensor ? x : asTensor(x, `${where} (first operand)`);
  const b = y instanceof Tensor ? y : asTensor(y, `${where} (second operand)`);
  const ad = a.data;
  const bd = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(ad.length);
    for (let i = 0; i < ad.length; i++) out[i] = fn(ad[i]!, bd[i]!);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes([a.shape, b.shape], where);
  const size = shapeSize(shape);
  const out = new Float64Array(size);
  if (b.size === 1 && b.ndim <= shape.length) {
    const v = bd[0]!;
    for (let i = 0; i < size; i++) out[i] = fn(ad[i % ad.length]!, v);
    return new Tensor(out, shape);
  }
  if (a.size === 1 && a.ndim <= shape.length) {
    const v = ad[0]!;
    for (let i = 0; i < size; i++) out[i] = fn(v, bd[i % bd.length]!);
    return new Tensor(out, shape);
  }
  if (size === 0) return new Tensor(out, shape);
  const ndim = shape.length;
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const counter = new Array<number>(ndim).fill(0);
  const last = ndim - 1;
  const lastSide = shape[last]!;
  const lastA = sa[last]!;
  const lastB = sb[last]!;
  let ia = 0;
  let ib = 0;
  let target = 0;
  while (target < size) {
    for (let i = 0; i < lastSide; i++) out[target++] = fn(ad[ia + i * lastA]!, bd[ib + i * lastB]!);
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      counter[axis]!++;
      ia += sa[axis]!;
      ib += sb[axis]!;
      if (counter[axis]! < shape[axis]!) break;
      ia -= sa[axis]! * shape[axis]!;
      ib -= sb[axis]! * shape[axis]!;
      counter[axis] = 0;
    }
    if (axis < 0) break;
  }
  return new Tensor(out, shape);
}

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;

/**
 * The four arithmetic operations between tensors of one shape, or a tensor and a number, each
 * in a loop of its own: `binary` calls its `fn` once per element from one shared loop, and that
 * call costs more than the arithmetic. Anything else (broadcasting) goes to `binary`.
 */
function arithmetic(
  op: number,
  x: TensorLike,
  y: TensorLike,
  where: string,
  fn: (a: number, b: number) => number,
): Tensor {
  if (!(x instanceof Tensor)) return binary(x, y, where, fn);
  const xd = x.data;
  const n = xd.length;
  if (typeof y === "number") {
    const out = new Float64Array(n);
    if (op === ADD) for (let i = 0; i < n; i++) out[i] = xd[i]! + y;
    else if (op === SUB) for (let i = 0; i < n; i++) out[i] = xd[i]! - y;
    else if (op === MUL) for (let i = 0; i < n; i++) out[i] = xd[i]! * y;
    else for (let i = 0; i < n; i++) out[i] = xd[i]! / y;
    return new Tensor(out, x.shape);
  }
  if (!(y instanceof Tensor) || !sameShape(x.shape, y.shape)) return binary(x, y, where, fn);
  const yd = y.data;
  const out = new Float64Array(n);
  if (op === ADD) for (let i = 0; i < n; i++) out[i] = xd[i]! + yd[i]!;
  else if (op === SUB) for (let i = 0; i < n; i++) out[i] = xd[i]! - yd[i]!;
  else if (op === MUL) for (let i = 0; i < n; i++) out[i] = xd[i]! * yd[i]!;
  else for (let i = 0; i < n; i++) out[i] = xd[i]! / yd[i]!;
  return new Tensor(out, x.shape);
}

/**
 * a + b element-wise. The operands broadcast as in numpy (sides of 1 and missing leading axes
 * stretch; a number is a 0-d tensor); throws an Error when their shapes cannot broadcast, or
 * when an operand is neither a tensor nor a number.
 */
export const add = (a: TensorLike, b: TensorLike): Tensor =>
  arithmetic(ADD, a, b, "add", (x, y) => x + y);
/** a - b element-wise, broadcasting as {@link add} does. */
export const sub = (a: TensorLike, b: TensorLike): Tensor =>
  arithmetic(SUB, a, b, "sub", (x, y) => x - y);
/** a * b element-wise (not a matrix product: see `matmul`), broadcasting as {@link add} does. */
export const mul = (a: TensorLike, b: TensorLike): Tensor =>
  arithmetic(MUL, a, b, "mul", (x, y) => x * y);
/**
 * a / b element-wise, broadcasting as {@link add} does. Division by 0 gives ±Infinity or NaN,
 * as in JavaScript; it never throws.
 */
export const div = (a: TensorLike, b: TensorLike): Tensor =>
  arithmetic(DIV, a, b, "div", (x, y) => x / y);
/** a ** b element-wise (numpy's power), broadcasting as {@link add} does. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, "pow", (x, y) => x ** y);
/**
 * The larger of a and b element-wise; NaN if either is NaN (numpy's maximum). Broadcasts as
 * {@link add} does, so `maximum(x, 0)` is ReLU.
 */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, "maximum", Math.max);
/** The smaller of a and b element-wise; NaN if either is NaN (numpy's minimum). Broadcasts. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary(a, b, "minimum", Math.min);
/** 1 where a > b, else 0 (so 0 where either is NaN); broadcasts as {@link add} does. */
export const greater = (a: TensorLike, b: TensorLike): Tensor =>
  binary(a, b, "greater", (x, y) => (x > y ? 1 : 0));
/** 1 where a < b, else 0 (so 0 where either is NaN); broadcasts as {@link add} does. */
export const less = (a: TensorLike, b: TensorLike): Tensor =>
  binary(a, b, "less", (x, y) => (x < y ? 1 : 0));
/** 1 where a === b (exactly; NaN equals nothing), else 0; broadcasts as {@link add} does. */
export const equal = (a: TensorLike, b: TensorLike): Tensor =>
  binary(a, b, "equal", (x, y) => (x === y ? 1 : 0));

/**
 * -a element-wise, in a new tensor of a's shape (a number gives a 0-d tensor); throws an Error
 * when a is neither a tensor nor a number. The other one-operand functions behave the same way.
 */
export const neg = (a: TensorLike): Tensor => unary(a, "neg", (x) => -x);
/** e^a element-wise; Infinity above about 709.78 (float64 overflow). */
export const exp = (a: TensorLike): Tensor => unary(a, "exp", Math.exp);
/** The natural logarithm element-wise: -Infinity at 0, NaN below 0. */
export const log = (a: TensorLike): Tensor => unary(a, "log", Math.log);
/** |a| element-wise. */
export const abs = (a: TensorLike): Tensor => unary(a, "abs", Math.abs);
/** The square root element-wise; NaN below 0. */
export const sqrt = (a: TensorLike): Tensor => unary(a, "sqrt", Math.sqrt);
/** -1, 0 or 1 element-wise (0 stays 0, -0 stays -0, NaN stays NaN). */
export const sign = (a: TensorLike): Tensor => unary(a, "sign", Math.sign);

/**
 * Applies `fn` to every element (with its flat, row-major index), in a new tensor of a's shape;
 * the escape hatch for functions the kit does not have. Throws when fn is not a function.
 */
export function map(a: TensorLike, fn: (value: number, flatIndex: number) => number): Tensor {
  const t = asTensor(a, "map");
  if (typeof fn !== "function") throw new Error(`map: fn must be a function, got ${describe(fn)}`);
  const out = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) out[i] = fn(t.data[i]!, i);
  return new Tensor(out, t.shape);
}

/**
 * `a` where `condition` is non-zero (NaN counts as non-zero), else `b`, all three broadcast
 * together to one shape as {@link add}'s operands do; throws an Error when they cannot.
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = asTensor(condition, "where (condition)");
  const x = asTensor(a, "where (second operand)");
  const y = asTensor(b, "where (third operand)");
  const shape = broadcastShapes([c.shape, x.shape, y.shape], "where");
  const size = shapeSize(shape);
  const sc = broadcastStrides(c.shape, shape);
  const sx = broadcastStrides(x.shape, shape);
  const sy = broadcastStrides(y.shape, shape);
  const out = new Float64Array(size);
  const counter = new Array<number>(shape.length).fill(0);
  let ic = 0;
  let ix = 0;
  let iy = 0;
  for (let target = 0; target < size; target++) {
    out[target] = c.data[ic] !== 0 ? x.data[ix]! : y.data[iy]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      counter[axis]!++;
      ic += sc[axis]!;
      ix += sx[axis]!;
      iy += sy[axis]!;
      if (counter[axis]! < shape[axis]!) break;
      ic -= sc[axis]! * shape[axis]!;
      ix -= sx[axis]! * shape[axis]!;
      iy -= sy[axis]! * shape[axis]!;
      counter[axis] = 0;
    }
  }
  return new Tensor(out, shape);
}

/**
 * True when both have the same shape and |a - b| <= atol + rtol * |b| everywhere (numpy's rule,
 * and numpy's defaults rtol 1e-5, atol 1e-8). Infinities are close only to themselves and NaN
 * to nothing; different shapes give false, not an error (no broadcasting).
 */
export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
  const x = asTensor(a, "allclose (first operand)");
  const y = asTensor(b, "allclose (second operand)");
  if (!sameShape(x.shape, y.shape)) return false;
  for (let i = 0; i < x.size; i++) {
    const u = x.data[i]!;
    const v = y.data[i]!;
    if (u === v) continue;
    // Infinities are close only to themselves (u === v above), as in numpy.
    if (!Number.isFinite(u) || !Number.isFinite(v)) return false;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return false;
  }
  return true;
}
