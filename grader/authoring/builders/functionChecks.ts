/**
 * `functionChecks`: the checks of one tensor-valued function a submission exports, from a
 * table: its values against a reference (or any expected tensor), the result's shape, finite
 * numbers and inputs left unchanged; with `backward`, the submission's backward function against
 * finite differences of the reference and of the submission's own function. The checks run in
 * gradmark's own driver, so an assignment made only of them needs no drivers module.
 */
import type fc from "fast-check";
import type { DiagnoseContext, Tolerance } from "../../../checks/index.js";
import type { Tensor } from "../../../reference/tensor/index.js";
import type { CheckDefinition } from "../types.js";
import { backwardChecks, valueChecks } from "./internal/function/functionCheckDefinitions.js";
import {
  BuilderSpecError,
  checkName,
  checkPoints,
  checkRuns,
  checkTitleNote,
  withTitleNote,
} from "./internal/specRules.js";

/** One function, as a table. */
export interface FunctionSpec<Case = Tensor[]> {
  /** The src/ module that exports the function, e.g. "contractions". */
  module: string;
  /** The function's name, e.g. "contract". */
  exportName: string;
  /** Prefix of the check ids (`<id>.forward`, ...); default `exportName`. */
  id?: string;
  cases: fc.Arbitrary<Case>;
  /** The call's arguments for a case; default: the case itself, which must be an array. */
  args?: (testCase: Case) => unknown[];
  /** The arguments' names, for messages. */
  argNames: readonly string[];
  /** The reference, called with the same arguments. Exactly one of `reference` and `expected`. */
  // biome-ignore lint/suspicious/noExplicitAny: references take tensors or numbers.
  reference?: (...args: any[]) => Tensor;
  /** The expected result of a case (finite differences of a reference, for a derivative). */
  expected?: (testCase: Case) => Tensor;
  /** The expected result's shape without computing it (default: the shape of `expected`). */
  expectedShape?: (testCase: Case) => number[];
  /** For the hints of compareTensors (input rank of a derivative, batch size). */
  diagnose?: (testCase: Case) => DiagnoseContext;
  /** A sentence added to a failure, saying what is special about this case (e.g. k = 0). */
  note?: (testCase: Case) => string | undefined;
  /** Last part of the values check's id; default "forward". */
  valuesId?: string;
  /** What the values check compares with, for its title; default "against the reference". */
  valuesTitle?: string;
  /**
   * The submission's backward function, called as `name(...args, downstream)`, returning the
   * gradient of the one differentiable argument, or an array with one per differentiable argument
   * (`differentiable`: their positions among the args, default every Tensor argument).
   */
  backward?: { exportName: string; differentiable?: number[]; gradientNames?: string[] };
  /**
   * Points per check: values is required; shape, finite and immutable require it; backward and
   * consistent (with `backward` only) likewise. A check left out is not generated.
   */
  points: {
    values: number;
    shape?: number;
    finite?: number;
    immutable?: number;
    backward?: number;
    consistent?: number;
  };
  /** Runs of every check, or of the values check and of the others. */
  runs?: number | { values: number; others: number };
  tolerance?: Partial<Tolerance>;
  /** Said after every check's title, e.g. "large inputs" (tells apart two sets of checks). */
  titleNote?: string;
  /** Every check of the function hidden (run only by `grade`). */
  hidden?: boolean;
}

/**
 * The checks of one function, in grading order: `<id>.<valuesId>` (the only one that earns
 * points on its own), `.shape`, `.finite`, `.immutable`, then with `backward` `.backward` and
 * `.consistent`. Throws an Error naming the function and the field when the spec is wrong.
 */
export function functionChecks<Case = Tensor[]>(spec: FunctionSpec<Case>): CheckDefinition[] {
  const where = `functionChecks(${typeof spec?.exportName === "string" ? spec.exportName : "?"})`;
  const bad = (message: string): never => {
    throw new BuilderSpecError(where, message);
  };
  if (typeof spec !== "object" || spec === null) bad("the spec must be an object");
  checkName(spec.module, "module", bad);
  checkName(spec.exportName, "exportName", bad);
  if (spec.id !== undefined && typeof spec.id !== "string") bad("id must be a string");
  if (typeof (spec.cases as { generate?: unknown })?.generate !== "function") {
    bad("cases must be a fast-check arbitrary");
  }
  if (!Array.isArray(spec.argNames) || spec.argNames.some((n) => typeof n !== "string")) {
    bad("argNames must list the arguments' names");
  }
  if ((spec.reference === undefined) === (spec.expected === undefined)) {
    bad("give exactly one of reference and expected");
  }
  for (const key of [
    "args",
    "reference",
    "expected",
    "expectedShape",
    "diagnose",
    "note",
  ] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== "function")
      bad(`${key} must be a function`);
  }
  const optional = ["shape", "finite", "immutable"];
  if (spec.backward !== undefined) {
    if (typeof spec.backward !== "object" || spec.backward === null)
      bad("backward must be an object");
    checkName(spec.backward.exportName, "backward.exportName", bad);
    if (spec.reference === undefined)
      bad("backward needs reference (its gradients are taken from it)");
    optional.push("consistent");
  }
  checkPoints(spec.points, spec.backward ? ["values", "backward"] : ["values"], optional, bad);
  const runs = spec.runs;
  if (typeof runs === "object" && runs !== null) {
    checkRuns(runs.values, bad);
    checkRuns(runs.others, bad);
  } else checkRuns(runs, bad);
  checkTitleNote(spec.titleNote, bad);
  const plan = {
    ...spec,
    id: spec.id ?? spec.exportName,
    args:
      spec.args ??
      ((testCase: Case) => {
        if (!Array.isArray(testCase)) bad("cases must draw arrays of arguments, or give args");
        return testCase as unknown[];
      }),
  };
  return withTitleNote(
    [...valueChecks(plan), ...(spec.backward ? backwardChecks(plan) : [])],
    spec.titleNote,
  );
}
