import { compareTensors, type DiagnoseContext, type Tolerance } from "../../checks/index.js";
import { checkTolerance, formatIndex, isClose, unravel } from "../../checks/internal/close.js";
import { Tensor } from "../../reference/tensor/index.js";
import { formatNumber } from "../../reference/tensor/internal/format.js";
import { isTensorLike, Opaque } from "../sandbox/wireValues.js";
import type { Verdict } from "./types.js";

export const PASS: Verdict = { pass: true };

/** A result that was not plain data, as a judge sees it: only its description came back. */
export interface OpaqueValue {
  readonly description: string;
}

/** Whether a driver's result was not plain data (a class instance, a function, a fake tensor). */
export function isOpaque(value: unknown): value is OpaqueValue {
  return value instanceof Opaque;
}

export function fail(message: string): Verdict {
  return { pass: false, message };
}

/** The first failing verdict, or a pass. */
export function allOf(...verdicts: (Verdict | (() => Verdict))[]): Verdict {
  for (const v of verdicts) {
    const verdict = typeof v === "function" ? v() : v;
    if (!verdict.pass) return verdict;
  }
  return PASS;
}

/** The result must be a Tensor of expected's shape with values within the tolerance. */
export function expectTensor(
  result: unknown,
  expected: Tensor,
  options: { name: string; tolerance: Tolerance; context?: DiagnoseContext },
): Verdict {
  if (result instanceof Opaque) {
    return fail(
      `${options.name}: expected a Tensor of shape [${expected.shape.join(", ")}], got ${result.description}`,
    );
  }
  const comparison = compareTensors(result, expected, {
    name: options.name,
    ...options.tolerance,
    context: options.context,
  });
  return comparison.passed ? PASS : fail(comparison.message);
}

/** The result must be a Tensor of exactly this shape (values not looked at). */
export function expectShape(result: unknown, shape: readonly number[], name: string): Verdict {
  if (!(result instanceof Tensor))
    return fail(`${name}: expected a Tensor, got ${describeResult(result)}`);
  const same = result.shape.length === shape.length && result.shape.every((s, i) => s === shape[i]);
  return same
    ? PASS
    : fail(`${name}: has shape [${result.shape.join(", ")}], expected [${shape.join(", ")}]`);
}

/** Every value finite (no NaN or Infinity). */
export function expectFinite(result: unknown, name: string): Verdict {
  if (!(result instanceof Tensor))
    return fail(`${name}: expected a Tensor, got ${describeResult(result)}`);
  const bad = result.data.findIndex((v) => !Number.isFinite(v));
  if (bad === -1) return PASS;
  const count = result.data.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
  const at = result.ndim === 0 ? "" : ` at ${formatIndex(unravel(bad, result.shape))}`;
  const more = count > 1 ? ` (${count} values in all are not finite)` : "";
  return fail(`${name}: holds ${formatNumber(result.data[bad]!)}${at}${more}`);
}

/** An input after the call must equal what was passed (students must never modify inputs). */
export function expectUnchanged(before: Tensor, after: unknown, name: string): Verdict {
  if (!(after instanceof Tensor)) return fail(`${name}: could not be read back after the call`);
  const same =
    after.shape.length === before.shape.length &&
    after.shape.every((s, i) => s === before.shape[i]) &&
    after.data.every((v, i) => Object.is(v, before.data[i]));
  if (same) return PASS;
  const at = after.data.findIndex((v, i) => !Object.is(v, before.data[i]));
  return fail(
    `${name} was modified by the call${at >= 0 ? ` (first at flat position ${at}: ${before.data[at]} became ${after.data[at]})` : ""}; functions must never change their inputs`,
  );
}

/** A plain number within the tolerance. */
export function expectNumber(
  result: unknown,
  expected: number,
  options: { name: string; tolerance: Tolerance },
): Verdict {
  if (typeof result !== "number") {
    const hint = result instanceof Tensor ? " (return a plain number, e.g. t.item())" : "";
    return fail(`${options.name}: expected a number, got ${describeResult(result)}${hint}`);
  }
  const { atol, rtol } = options.tolerance;
  checkTolerance(options.tolerance, options.name || "expectNumber");
  // NaN and Infinity never pass, even against themselves (Infinity - Infinity is NaN, and a plain
  // <= would decide that alone).
  if (!Number.isFinite(result)) {
    return fail(
      `${options.name}: got ${formatNumber(result)}, expected ${formatNumber(expected)}; NaN and Infinity never pass`,
    );
  }
  if (!Number.isFinite(expected)) {
    return fail(
      `${options.name}: got ${result}, but the expected value is ${formatNumber(expected)}, so nothing can match it`,
    );
  }
  if (isClose(result, expected, atol, rtol)) return PASS;
  return fail(`${options.name}: got ${result}, expected ${expected}`);
}

export function describeResult(result: unknown): string {
  if (result instanceof Opaque) return result.description;
  if (result instanceof Tensor) return `a Tensor of shape [${result.shape.join(", ")}]`;
  if (result === null || result === undefined) return "nothing (undefined)";
  if (Array.isArray(result)) return `an array of length ${result.length}`;
  return typeof result === "object" ? "a plain object" : `the ${typeof result} ${String(result)}`;
}

/** A readable rendering of a case for reports: tensors printed, nesting kept, long text cut. */
export function showValue(value: unknown, indent = ""): string {
  if (isTensorLike(value)) {
    const t = new Tensor(value.data, value.shape);
    const text = t.size <= 64 ? t.toString() : `tensor of shape [${t.shape.join(", ")}]`;
    return text.replaceAll("\n", `\n${indent}`);
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) return `[${value.join(", ")}]`;
    return `[\n${value.map((v) => `${indent}  ${showValue(v, `${indent}  `)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([k, v]) => `${indent}  ${k}: ${showValue(v, `${indent}  `)}`,
    );
    return `{\n${entries.join("\n")}\n${indent}}`;
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
