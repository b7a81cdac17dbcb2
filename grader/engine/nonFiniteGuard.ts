/**
 * The grader's structural guard against NaN and Infinity (issue 13): every number a driver sends
 * back from the child (tensor data, plain numbers, inside arrays and objects) must be finite, or
 * the check fails, whatever its judge says. It runs in the parent for every check of every
 * assignment (staff-written ones too), so a judge whose comparison is true for
 * `Infinity <= Infinity` or false-but-negated for NaN cannot let one through.
 */
import { formatIndex, unravel } from "../../checks/internal/close.js";
import type { Tensor } from "../../reference/tensor/index.js";
import { formatNumber } from "../../reference/tensor/internal/format.js";
import { isTensorLike, Opaque } from "../sandbox/wireValues.js";

/** The first non-finite number of a result, where it is, and how many there are in all. */
export interface NonFiniteFinding {
  /** Where in the result, e.g. `inputGrad`, `grads[1]`, `after.inputs[0]` ("" for the result itself). */
  path: string;
  /** The tensor that holds it (its multi-index in `index`), or null for a plain number. */
  shape: readonly number[] | null;
  index: number[] | null;
  value: number;
  /** Non-finite numbers in the whole result. */
  count: number;
}

/**
 * One tight pass for the usual case: x * 0 is 0 for every finite x and NaN for NaN and
 * ±Infinity, so the sum is 0 exactly when every value is finite.
 */
function allFinite(data: Float64Array): boolean {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]! * 0;
  return sum === 0;
}

/** Results are plain data from the wire; this is far deeper than any driver's result. */
const MAX_DEPTH = 64;

/** The first NaN or ±Infinity in a driver's result (depth first, in key order), or null. */
export function findNonFinite(result: unknown): NonFiniteFinding | null {
  let first: Omit<NonFiniteFinding, "count"> | null = null;
  let count = 0;
  const visit = (value: unknown, path: string, depth: number): void => {
    if (typeof value === "number") {
      if (Number.isFinite(value)) return;
      count++;
      first ??= { path, shape: null, index: null, value };
      return;
    }
    if (value === null || typeof value !== "object" || value instanceof Opaque) return;
    if (depth > MAX_DEPTH) return;
    if (isTensorLike(value)) {
      const t = value as Tensor;
      if (allFinite(t.data)) return;
      for (let i = 0; i < t.data.length; i++) {
        const v = t.data[i]!;
        if (Number.isFinite(v)) continue;
        count++;
        first ??= { path, shape: [...t.shape], index: unravel(i, t.shape), value: v };
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${path}[${i}]`, depth + 1);
      });
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      visit(item, path === "" ? key : `${path}.${key}`, depth + 1);
    }
  };
  visit(result, "", 0);
  const found = first as Omit<NonFiniteFinding, "count"> | null;
  return found === null ? null : { ...found, count };
}

/**
 * One sentence for the student: which value, where (the result's field and the element's
 * multi-index), and what usually causes it.
 */
export function describeNonFinite(found: NonFiniteFinding): string {
  const value = formatNumber(found.value);
  let where: string;
  if (found.shape === null) where = found.path === "" ? "" : ` as ${found.path}`;
  else if (found.shape.length === 0) {
    where = `${found.path === "" ? "" : ` as ${found.path}`} (a Tensor of shape [])`;
  } else {
    where = ` at ${found.path}${formatIndex(found.index!)} (a Tensor of shape ${formatIndex(found.shape)})`;
  }
  const more = found.count > 1 ? `; ${found.count} values in all are not finite` : "";
  return `returned ${value}${where}${more}. NaN and Infinity never pass a check: look for a division by zero, a log of 0, or an exp that overflows`;
}

/**
 * The verdict on a result that holds NaN or Infinity: always a failure. The judge's own message
 * is kept when it failed too (it knows the names), with the guard's sentence added when that
 * message does not already speak of NaN or Infinity; a judge that passed or threw gets the
 * guard's sentence alone.
 */
export function nonFiniteFailure(
  found: NonFiniteFinding,
  judged: { pass: true } | { pass: false; message: string } | { threw: true },
): string {
  const sentence = describeNonFinite(found);
  if (!("pass" in judged) || judged.pass) return sentence;
  return /\b(NaN|Infinity)\b/.test(judged.message)
    ? judged.message
    : `${judged.message}\n  also: ${sentence}`;
}
