/**
 * The checks functionChecks builds: values, shape, finite and immutable on the function's cases,
 * and backward and consistent on the same cases with a downstream gradient and probes added.
 */
import fc from "fast-check";
import type { Tolerance } from "../../../../../checks/index.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import {
  allOf,
  expectFinite,
  expectShape,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../judge.js";
import type { CheckDefinition, Verdict } from "../../../types.js";
import type { FunctionSpec } from "../../functionChecks.js";
import { downstreamArb, probeSeedArb, scalarDownstreamArb } from "../caseParts.js";
import { closeTo } from "../closeTo.js";
import { field } from "../field.js";
import { judgeGradients } from "../judgeGradients.js";
import { judgeSelfConsistency } from "../judgeSelfConsistency.js";
import { makeProbes, type Probe, probeInputs } from "../probes.js";

/** The spec, with its id and args filled in. */
export type FunctionPlan<Case> = FunctionSpec<Case> & {
  id: string;
  args: (testCase: Case) => unknown[];
};

function withNote(verdict: Verdict, note: string | undefined): Verdict {
  if (verdict.pass || note === undefined) return verdict;
  return fail(`${verdict.message}\n  note: ${note}`);
}

function expectedOf<Case>(plan: FunctionPlan<Case>, testCase: Case): Tensor {
  return plan.expected
    ? plan.expected(testCase)
    : (plan.reference as (...args: unknown[]) => Tensor)(...plan.args(testCase));
}

function runsOf<Case>(plan: FunctionPlan<Case>, which: "values" | "others") {
  const runs = plan.runs;
  if (runs === undefined) return {};
  return { runs: typeof runs === "number" ? runs : runs[which] };
}

const hiddenOf = <Case>(plan: FunctionPlan<Case>) =>
  plan.hidden !== undefined ? { hidden: plan.hidden } : {};

/**
 * `<id>.<valuesId>` (values; the only one that earns points on its own), `.shape`, `.finite` and
 * `.immutable` (each requires the values check, so a stub with the right shape earns nothing).
 */
export function valueChecks<Case>(plan: FunctionPlan<Case>): CheckDefinition<Case>[] {
  const valuesId = `${plan.id}.${plan.valuesId ?? "forward"}`;
  const call = `${plan.exportName}(${plan.argNames.join(", ")})`;
  const common = {
    ...hiddenOf(plan),
    cases: plan.cases,
    driver: "gradmark.call",
    payload: (testCase: Case) => ({
      module: plan.module,
      name: plan.exportName,
      args: plan.args(testCase),
    }),
    show: (testCase: Case) => showArgs(plan, plan.args(testCase)),
  };
  const expectedShape = (testCase: Case) =>
    plan.expectedShape ? plan.expectedShape(testCase) : [...expectedOf(plan, testCase).shape];
  const out = (result: unknown) => field(result, "out");
  const checks: CheckDefinition<Case>[] = [
    {
      ...common,
      ...runsOf(plan, "values"),
      id: valuesId,
      title: `${plan.exportName}: values ${plan.valuesTitle ?? "against the reference"}`,
      points: plan.points.values,
      ...(plan.tolerance !== undefined ? { tolerance: plan.tolerance } : {}),
      judge: (testCase, result, context) =>
        withNote(
          expectTensor(out(result), expectedOf(plan, testCase), {
            name: call,
            tolerance: context.tolerance,
            context: plan.diagnose?.(testCase),
          }),
          plan.note?.(testCase),
        ),
    },
  ];
  const { shape, finite, immutable } = plan.points;
  const others = { ...common, ...runsOf(plan, "others"), requires: [valuesId] };
  if (shape !== undefined) {
    checks.push({
      ...others,
      id: `${plan.id}.shape`,
      title: `${plan.exportName}: result shape (with correct values)`,
      points: shape,
      judge: (testCase, result) =>
        withNote(expectShape(out(result), expectedShape(testCase), call), plan.note?.(testCase)),
    });
  }
  if (finite !== undefined) {
    checks.push({
      ...others,
      id: `${plan.id}.finite`,
      title: `${plan.exportName}: finite numbers (with correct values)`,
      points: finite,
      judge: (_testCase, result) => expectFinite(out(result), call),
    });
  }
  if (immutable !== undefined) {
    checks.push({
      ...others,
      id: `${plan.id}.immutable`,
      title: `${plan.exportName}: inputs left unchanged (with correct values)`,
      points: immutable,
      judge: (testCase, result) => {
        const after = field(result, "inputsAfter");
        const read = (i: number) => (Array.isArray(after) ? after[i] : undefined);
        return allOf(
          ...plan
            .args(testCase)
            .map((before, i) =>
              before instanceof Tensor
                ? () => expectUnchanged(before, read(i), `${plan.argNames[i]} (argument ${i + 1})`)
                : PASS,
            ),
        );
      },
    });
  }
  return checks;
}

function showArgs<Case>(plan: FunctionPlan<Case>, args: unknown[], extra = {}): string {
  return showValue({ ...Object.fromEntries(plan.argNames.map((n, i) => [n, args[i]])), ...extra });
}

/** A case of the backward checks: the function's case, a downstream gradient, a probe seed. */
interface BackwardCase<Case> {
  testCase: Case;
  downstream: Tensor;
  probeSeed: number;
}

/** Positions of the differentiable arguments: the spec's, or every Tensor argument. */
function differentiable<Case>(plan: FunctionPlan<Case>, args: unknown[]): number[] {
  return plan.backward?.differentiable ?? args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
}

/** The reference as a function of the differentiable arguments alone. */
function referenceOver<Case>(plan: FunctionPlan<Case>, args: unknown[], which: number[]) {
  const reference = plan.reference as (...args: unknown[]) => Tensor;
  return (...xs: Tensor[]) => {
    const moved = args.slice();
    which.forEach((position, k) => {
      moved[position] = xs[k];
    });
    return reference(...moved);
  };
}

/** The submission's gradients as a list: one per differentiable argument. */
function gradsOf(result: unknown, count: number): unknown[] {
  const grads = field(result, "grads");
  if (count === 1 && !Array.isArray(grads)) return [grads];
  return Array.isArray(grads) ? grads : [grads];
}

/**
 * `<id>.backward`: the submission's backward function against finite differences of the
 * reference with a random downstream gradient; `<id>.consistent`: against finite differences of
 * the submission's own function (requires the values check).
 */
export function backwardChecks<Case>(
  plan: FunctionPlan<Case>,
): CheckDefinition<BackwardCase<Case>>[] {
  const backward = plan.backward!;
  const valuesId = `${plan.id}.${plan.valuesId ?? "forward"}`;
  const cases: fc.Arbitrary<BackwardCase<Case>> = plan.cases.chain((testCase) => {
    const shape = expectedOf(plan, testCase).shape;
    return fc
      .record({
        downstream: shape.length === 0 ? scalarDownstreamArb : downstreamArb(shape),
        probeSeed: probeSeedArb,
      })
      .map(({ downstream, probeSeed }) => ({ testCase, downstream, probeSeed }));
  });
  const inputsOf = (c: BackwardCase<Case>) => {
    const args = plan.args(c.testCase);
    const which = differentiable(plan, args);
    return { args, which, inputs: which.map((i) => args[i] as Tensor) };
  };
  const names = (which: number[]) =>
    backward.gradientNames ??
    which.map((i) => `the gradient of ${plan.argNames[i]} returned by ${backward.exportName}`);
  const probesOf = (c: BackwardCase<Case>): Probe[] => makeProbes(inputsOf(c).inputs, c.probeSeed);
  const payload = (c: BackwardCase<Case>, withProbes: boolean) => {
    const { args, which, inputs } = inputsOf(c);
    return {
      module: plan.module,
      name: plan.exportName,
      args,
      backward: { name: backward.exportName, downstream: c.downstream },
      probes: withProbes
        ? probeInputs(inputs, probesOf(c)).map((moved) => {
            const at = args.slice();
            which.forEach((position, k) => {
              at[position] = moved[k];
            });
            return at;
          })
        : undefined,
    };
  };
  const common = {
    ...hiddenOf(plan),
    ...runsOf(plan, "values"),
    ...(plan.tolerance !== undefined ? { tolerance: plan.tolerance } : {}),
    cases,
    driver: "gradmark.call",
    show: (c: BackwardCase<Case>) =>
      showArgs(plan, plan.args(c.testCase), { "downstream gradient": c.downstream }),
  };
  const forwardMatches = (c: BackwardCase<Case>, result: unknown, tolerance: Tolerance) =>
    closeTo(field(result, "out"), expectedOf(plan, c.testCase), tolerance);
  const checks: CheckDefinition<BackwardCase<Case>>[] = [
    {
      ...common,
      id: `${plan.id}.backward`,
      title: `${backward.exportName}: gradients against finite differences of the reference (random downstream gradient)`,
      points: plan.points.backward!,
      payload: (c) => payload(c, false),
      judge: (c, result, ctx) => {
        const { args, which, inputs } = inputsOf(c);
        return judgeGradients({
          f: referenceOver(plan, args, which),
          inputs,
          downstream: c.downstream,
          grads: gradsOf(result, which.length),
          names: names(which),
          tolerance: ctx.tolerance,
          note: forwardMatches(c, result, ctx.tolerance)
            ? undefined
            : `(Your ${plan.exportName} differs from the reference too, see ${valuesId}; these expected gradients are those of the reference.)`,
        });
      },
    },
  ];
  if (plan.points.consistent !== undefined) {
    checks.push({
      ...common,
      id: `${plan.id}.consistent`,
      title: `${backward.exportName} against finite differences of your own ${plan.exportName} (with correct values)`,
      points: plan.points.consistent,
      requires: [valuesId],
      payload: (c) => payload(c, true),
      judge: (c, result, ctx) => {
        const { which, inputs } = inputsOf(c);
        return judgeSelfConsistency({
          what: plan.exportName,
          names: which.map((i) => plan.argNames[i]!),
          inputs,
          downstream: c.downstream,
          grads: gradsOf(result, which.length),
          probes: probesOf(c),
          probeOutputs: field(result, "probeOutputs"),
          tolerance: ctx.tolerance,
          forwardMatches: forwardMatches(c, result, ctx.tolerance),
          backwardCheck: `${plan.id}.backward`,
        });
      },
    });
  }
  return checks;
}
