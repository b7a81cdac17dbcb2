/**
 * `layerChecks`: the checks of one layer class of a submission, from a table. A layer follows
 * the convention of the default assignment: `new Layer(...parameters, ...constants)`,
 * `forward(input)`, `backward(downstream)` returning the input's gradient, each parameter's
 * gradient in a field of the object after `backward` (`grad` by default, null before). Expected
 * values come from a reference forward and finite differences of it; the checks run in
 * gradmark's own driver, so an assignment made only of them needs no drivers module.
 */
import fc from "fast-check";
import type { Tolerance } from "../../../checks/index.js";
import { Tensor } from "../../../reference/tensor/index.js";
import type { CheckDefinition } from "../types.js";
import { downstreamArb, probeSeedArb, scalarDownstreamArb } from "./internal/caseParts.js";
import {
  casesWithAgain,
  type LayerCase,
  type LayerPlan,
  type LayerPoints,
} from "./internal/layer/layerCase.js";
import {
  backwardCheck,
  consistentCheck,
  forwardCheck,
  immutableCheck,
  shapesCheck,
} from "./internal/layer/layerCheckDefinitions.js";
import {
  BuilderSpecError,
  checkName,
  checkPoints,
  checkRuns,
  checkTitleNote,
  withTitleNote,
} from "./internal/specRules.js";

export type { LayerCase, LayerPoints } from "./internal/layer/layerCase.js";

/** What `inputs` may draw: the tensors alone, or with the constructor's constants. */
export type LayerDraw = Tensor[] | { inputs: Tensor[]; constants?: unknown[] };

/** One layer, as a table. */
export interface LayerSpec<C extends LayerCase = LayerCase> {
  /** The src/ module that exports the class, e.g. "layers". */
  module: string;
  /** The class's name, e.g. "BatchNorm". */
  exportName: string;
  /** Prefix of the check ids (`<id>.forward`, ...); default `exportName`. */
  id?: string;
  /** The reference forward, called as `reference(input, ...parameters, ...constants)`. */
  // biome-ignore lint/suspicious/noExplicitAny: references take tensors, labels or numbers.
  reference: (...args: any[]) => Tensor;
  /** The input's name in messages; default "X". */
  inputName?: string;
  /**
   * The constructor's tensor parameters, whose gradients are graded: a name (its gradient is read
   * from the field `grad`; one parameter only) or `{ name, grad }` naming the field.
   */
  parameters?: (string | { name: string; grad: string })[];
  /** Names of the constructor's arguments after the parameters, not differentiated. */
  constants?: string[];
  /**
   * What to draw: `[input, ...parameters]` (or `{ inputs, constants }`); the downstream
   * gradient and the probes' seed are drawn for it. Exactly one of `inputs` and `cases`.
   */
  inputs?: fc.Arbitrary<LayerDraw>;
  /** Whole cases, with their downstream gradient and probe seed. */
  cases?: fc.Arbitrary<C>;
  /**
   * A second input of a given shape: with it, the forward and backward checks use each layer
   * object a second time (forward, backward, then backward again), catching state kept from the
   * first call or a grad that adds up. Draw it as `inputs` draws the input.
   */
  secondInput?: (shape: readonly number[]) => fc.Arbitrary<Tensor>;
  /** Names of the input's and each parameter's gradient in messages. */
  gradientNames?: string[];
  /** The expected gradient of input i, where plain finite differences of the reference cannot. */
  expectedGradient?: (c: C, inputs: readonly Tensor[], downstream: Tensor, i: number) => Tensor;
  /** Points per check; a check left out (consistent, shapes, immutable) is not generated. */
  points: LayerPoints;
  /** Said after every check's title, e.g. "batches of 16 to 64" (tells apart two sets of checks). */
  titleNote?: string;
  /** Every check of the layer hidden (run only by `grade`). */
  hidden?: boolean;
  runs?: number;
  tolerance?: Partial<Tolerance>;
}

/**
 * The checks of one layer, in grading order: `<id>.forward`, `.backward` (against finite
 * differences of the reference, with a random downstream gradient), `.consistent` (against
 * finite differences of the submission's own forward; requires forward), `.shapes` and
 * `.immutable` (both require forward and backward, so a stub earns nothing). Throws an Error
 * naming the layer and the field when the spec is wrong.
 */
export function layerChecks<C extends LayerCase = LayerCase>(
  spec: LayerSpec<C>,
): CheckDefinition<C>[] {
  const plan = layerPlan(spec);
  // Only the forward and backward checks use the second round (see casesWithAgain).
  const withAgain = casesWithAgain(plan);
  const checks: CheckDefinition<C>[] = [
    forwardCheck(plan, withAgain),
    backwardCheck(plan, withAgain),
  ];
  const { consistent, shapes, immutable } = plan.points;
  if (consistent !== undefined) checks.push(consistentCheck(plan, consistent));
  if (shapes !== undefined) checks.push(shapesCheck(plan, shapes));
  if (immutable !== undefined) checks.push(immutableCheck(plan, immutable));
  return withTitleNote(checks, spec.titleNote);
}

function layerPlan<C extends LayerCase>(spec: LayerSpec<C>): LayerPlan<C> {
  const where = `layerChecks(${typeof spec?.exportName === "string" ? spec.exportName : "?"})`;
  if (typeof spec !== "object" || spec === null)
    throw new BuilderSpecError(where, "the spec must be an object");
  const bad = (message: string): never => {
    throw new BuilderSpecError(where, message);
  };
  checkName(spec.module, "module", bad);
  checkName(spec.exportName, "exportName", bad);
  if (spec.id !== undefined && typeof spec.id !== "string") bad("id must be a string");
  if (typeof spec.reference !== "function") bad("reference must be a function");
  const parameters = (spec.parameters ?? []).map((p, i) =>
    typeof p === "string"
      ? { name: p, grad: "grad" }
      : p && typeof p === "object"
        ? p
        : bad(`parameters[${i}] must be a name or { name, grad }`),
  );
  parameters.forEach((p, i) => {
    checkName(p.name, `parameters[${i}].name`, bad);
    checkName(p.grad, `parameters[${i}].grad`, bad);
  });
  const fields = parameters.map((p) => p.grad);
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  if (twice !== undefined) {
    bad(
      `two parameters read their gradient from the field ${twice}: name each one's field with { name, grad }`,
    );
  }
  const constantNames = spec.constants ?? [];
  constantNames.forEach((name, i) => {
    checkName(name, `constants[${i}]`, bad);
  });
  if ((spec.inputs === undefined) === (spec.cases === undefined)) {
    bad("give exactly one of inputs (what to draw) and cases (whole cases)");
  }
  for (const key of ["inputs", "cases"] as const) {
    const arb = spec[key] as { generate?: unknown } | undefined;
    if (arb !== undefined && typeof arb?.generate !== "function")
      bad(`${key} must be a fast-check arbitrary`);
  }
  if (spec.secondInput !== undefined && typeof spec.secondInput !== "function")
    bad("secondInput must be a function of a shape");
  if (spec.expectedGradient !== undefined && typeof spec.expectedGradient !== "function")
    bad("expectedGradient must be a function");
  checkPoints(spec.points, ["forward", "backward"], ["consistent", "shapes", "immutable"], bad);
  checkRuns(spec.runs, bad);
  checkTitleNote(spec.titleNote, bad);
  const inputName = spec.inputName ?? "X";
  const parameterNames = parameters.map((p) => p.name);
  const gradientNames = spec.gradientNames ?? [
    `the gradient returned by ${spec.exportName}.backward (D_${inputName}[Z])`,
    ...parameters.map((p) => `${spec.exportName}.${p.grad} (D_${p.name}[Z])`),
  ];
  if (!Array.isArray(gradientNames) || gradientNames.length !== parameters.length + 1) {
    bad(
      `gradientNames must name the input's gradient and each parameter's (${parameters.length + 1} names)`,
    );
  }
  const cases = spec.inputs
    ? (drawnCases(spec.reference, parameterNames.length, spec.inputs, where) as fc.Arbitrary<C>)
    : spec.cases!;
  return {
    id: spec.id ?? spec.exportName,
    module: spec.module,
    exportName: spec.exportName,
    inputName,
    parameterNames,
    gradFields: fields,
    constantNames,
    gradientNames,
    reference: spec.reference,
    cases,
    secondInput: spec.secondInput,
    expectedGradient: spec.expectedGradient,
    points: spec.points,
    hidden: spec.hidden,
    runs: spec.runs,
    tolerance: spec.tolerance,
  };
}

/**
 * Whole cases from what `inputs` draws: a downstream gradient of the reference output's shape
 * and a probe seed. A draw of the wrong make is the assignment's fault, said when it is drawn.
 */
function drawnCases(
  reference: LayerSpec["reference"],
  parameterCount: number,
  inputs: fc.Arbitrary<LayerDraw>,
  where: string,
): fc.Arbitrary<LayerCase> {
  const expected = parameterCount + 1;
  return inputs.chain((draw) => {
    const { inputs: tensors, constants = [] } = Array.isArray(draw) ? { inputs: draw } : draw;
    if (
      !Array.isArray(tensors) ||
      tensors.length !== expected ||
      !tensors.every((t) => t instanceof Tensor)
    ) {
      throw new BuilderSpecError(
        where,
        `inputs must draw ${expected} kit Tensors (the input, then ${parameterCount} parameters), drew ${describeDraw(tensors)}`,
      );
    }
    const out: unknown = reference(...tensors, ...constants);
    if (!(out instanceof Tensor))
      throw new BuilderSpecError(where, "reference must return a kit Tensor");
    return fc
      .record({
        downstream: out.ndim === 0 ? scalarDownstreamArb : downstreamArb(out.shape),
        probeSeed: probeSeedArb,
      })
      .map(({ downstream, probeSeed }) => ({ inputs: tensors, constants, downstream, probeSeed }));
  });
}

function describeDraw(value: unknown): string {
  if (!Array.isArray(value)) return typeof value;
  return `[${value.map((v) => (v instanceof Tensor ? `Tensor[${v.shape.join(", ")}]` : typeof v)).join(", ")}]`;
}
