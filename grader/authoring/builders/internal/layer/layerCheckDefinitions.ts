/**
 * The five checks of one layer: forward against the reference, backward against finite
 * differences of the reference and of the submission's own forward, shapes and finiteness, and
 * immutability. The forward and backward checks use every layer object twice when the plan draws
 * a second input (a second forward on another input, its backward, and that backward once more),
 * as training does.
 */
import type { Tolerance } from "../../../../../checks/index.js";
import { Tensor } from "../../../../../reference/tensor/index.js";
import {
  allOf,
  describeResult,
  expectFinite,
  expectShape,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
} from "../../../judge.js";
import type { CheckDefinition, Verdict } from "../../../types.js";
import { closeTo } from "../closeTo.js";
import { field } from "../field.js";
import { judgeGradients } from "../judgeGradients.js";
import { judgeSelfConsistency } from "../judgeSelfConsistency.js";
import {
  type LayerCase,
  type LayerPlan,
  layerPayload,
  layerProbes,
  referenceGradient,
  referenceOf,
} from "./layerCase.js";
import { constructorCall, showAgain, showLayerCase } from "./showLayerCase.js";

/** Said with a failure of the second round on one object (what state a layer may keep). */
function reuseNote<C extends LayerCase>(plan: LayerPlan<C>): string {
  const fields = plan.gradFields.join(" and ");
  return plan.gradFields.length === 0
    ? "(A layer object is used many times: each backward uses the state saved by the most recent forward.)"
    : `(A layer object is used many times: each backward uses the state saved by the most recent forward, and sets ${fields} to the gradient of that call alone, never adding to the previous one.)`;
}

/** What every check of the layer shares: id, hidden, runs, tolerance. */
function common<C extends LayerCase>(plan: LayerPlan<C>, part: string) {
  return {
    id: `${plan.id}.${part}`,
    ...(plan.hidden !== undefined ? { hidden: plan.hidden } : {}),
    ...(plan.runs !== undefined ? { runs: plan.runs } : {}),
    ...(plan.tolerance !== undefined ? { tolerance: plan.tolerance } : {}),
    driver: "gradmark.layer",
  };
}

/** The batch size for hints: the first axis of a 2-d input. */
function batchOf(c: LayerCase): number | undefined {
  const x = c.inputs[0]!;
  return x.ndim === 2 ? x.shape[0] : undefined;
}

function forwardMatches<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
  output: unknown,
  tolerance: Tolerance,
) {
  return closeTo(output, referenceOf(plan, c)(...c.inputs), tolerance);
}

/** The input's gradient, then each parameter's, from a driver's result (or its `again`). */
function gradsOf(result: unknown, repeat = false): unknown[] {
  const input = field(result, repeat ? "repeatInputGrad" : "inputGrad");
  const params = field(result, repeat ? "repeatParamGrads" : "paramGrads");
  return [input, ...(Array.isArray(params) ? params : [])];
}

export function forwardCheck<C extends LayerCase>(
  plan: LayerPlan<C>,
  cases: CheckDefinition<C>["cases"],
): CheckDefinition<C> {
  const name = plan.exportName;
  return {
    ...common(plan, "forward"),
    title: `${name}.forward against the reference`,
    points: plan.points.forward,
    cases,
    payload: (c) => layerPayload(plan, c, "forward", { again: true }),
    judge: (c, result, ctx) => {
      const reference = referenceOf(plan, c);
      const first = expectTensor(field(result, "output"), reference(...c.inputs), {
        name: `${name}.forward`,
        tolerance: ctx.tolerance,
        context: { batchSize: batchOf(c) },
      });
      if (!first.pass || !c.again) return first;
      const expected = reference(c.again.input, ...c.inputs.slice(1));
      const secondInput = (output: unknown, on: string) =>
        expectTensor(output, expected, {
          name: `${name}.forward ${on} (with the second input)`,
          tolerance: ctx.tolerance,
          context: { batchSize: batchOf(c) },
        });
      const again = field(result, "again");
      // Wrong on a fresh object too: a plain bug at that input, not state kept from the first.
      const fresh = secondInput(field(again, "freshOutput"), "on a fresh object");
      if (!fresh.pass) return fresh;
      const reused = secondInput(field(again, "output"), "called a second time on the same object");
      return reused.pass ? reused : fail(`${reused.message}\n${reuseNote(plan)}`);
    },
    show: (c) => `${showLayerCase(plan, c)}${showAgain(plan, c, "forward")}`,
  };
}

export function backwardCheck<C extends LayerCase>(
  plan: LayerPlan<C>,
  cases: CheckDefinition<C>["cases"],
): CheckDefinition<C> {
  const name = plan.exportName;
  return {
    ...common(plan, "backward"),
    title: `${name}.backward against finite differences of the reference (random downstream gradient)`,
    points: plan.points.backward,
    cases,
    payload: (c) => layerPayload(plan, c, "full", { again: true }),
    judge: (c, result, ctx) => {
      const first = judgeGradients({
        f: referenceOf(plan, c),
        inputs: c.inputs,
        downstream: c.downstream,
        grads: gradsOf(result),
        names: plan.gradientNames,
        tolerance: ctx.tolerance,
        context: { batchSize: batchOf(c) },
        expected: (i) => referenceGradient(plan, c, c.inputs, c.downstream, i),
        note: forwardMatches(plan, c, field(result, "output"), ctx.tolerance)
          ? undefined
          : `(Your forward differs from the reference too, see ${plan.id}.forward; these expected gradients are those of the reference forward.)`,
      });
      if (!first.pass || !c.again) return first;
      return judgeSecondRound(plan, c, c.again, field(result, "again"), ctx.tolerance);
    },
    show: (c) => `${showLayerCase(plan, c)}${showAgain(plan, c, "full")}`,
  };
}

/**
 * The second round, on the same object: the gradients of a new forward's backward, and of that
 * backward called once more, against the reference at the second input.
 */
function judgeSecondRound<C extends LayerCase>(
  plan: LayerPlan<C>,
  c: C,
  round: NonNullable<LayerCase["again"]>,
  again: unknown,
  tolerance: Tolerance,
): Verdict {
  const inputs = [round.input, ...c.inputs.slice(1)];
  const expected = inputs.map((_, i) => referenceGradient(plan, c, inputs, round.downstream, i));
  const rounds: [string, unknown[], string | undefined][] = [
    // Wrong on a fresh object too: a plain bug at the second input, not state kept from the first.
    [
      "with the second input and downstream gradient, on a fresh object",
      gradsOf(field(again, "fresh")),
      undefined,
    ],
    [
      "after a second forward (other input) and its backward on the same object",
      gradsOf(again),
      reuseNote(plan),
    ],
    [
      "after that backward was called once more (same downstream gradient, no new forward)",
      gradsOf(again, true),
      reuseNote(plan),
    ],
  ];
  for (const [when, grads, note] of rounds) {
    const verdict = judgeGradients({
      f: referenceOf(plan, c),
      inputs,
      downstream: round.downstream,
      grads,
      names: plan.gradientNames.map((name) => `${name} ${when}`),
      tolerance,
      context: { batchSize: batchOf(c) },
      expected: (i) => expected[i]!,
      ...(note !== undefined ? { note } : {}),
    });
    if (!verdict.pass) return verdict;
  }
  return PASS;
}

export function consistentCheck<C extends LayerCase>(
  plan: LayerPlan<C>,
  points: number,
): CheckDefinition<C> {
  const name = plan.exportName;
  return {
    ...common(plan, "consistent"),
    title: `${name}.backward against finite differences of your own forward (with a correct forward)`,
    points,
    // A backward that agrees with a wrong forward (zeros and a constant agree) earns nothing.
    requires: [`${plan.id}.forward`],
    cases: plan.cases,
    payload: (c) => layerPayload(plan, c, "full", { probes: true }),
    judge: (c, result, ctx) =>
      judgeSelfConsistency({
        what: name,
        names: [plan.inputName, ...plan.parameterNames],
        inputs: c.inputs,
        downstream: c.downstream,
        grads: gradsOf(result),
        probes: layerProbes(c),
        probeOutputs: field(result, "probeOutputs"),
        tolerance: ctx.tolerance,
        forwardMatches: forwardMatches(plan, c, field(result, "output"), ctx.tolerance),
        backwardCheck: `${plan.id}.backward`,
      }),
    show: (c) => showLayerCase(plan, c),
  };
}

export function shapesCheck<C extends LayerCase>(
  plan: LayerPlan<C>,
  points: number,
): CheckDefinition<C> {
  const name = plan.exportName;
  const nullBefore =
    plan.gradFields.length > 0
      ? `, ${plan.gradFields.join(" and ")} null before the first backward`
      : "";
  return {
    ...common(plan, "shapes"),
    title: `${name}: output and gradient shapes, finite numbers${nullBefore} (with correct values)`,
    points,
    requires: [`${plan.id}.forward`, `${plan.id}.backward`],
    cases: plan.cases,
    payload: (c) => layerPayload(plan, c, "full"),
    judge: (c, result) => {
      const expectedOut = referenceOf(plan, c)(...c.inputs);
      const out = field(result, "output");
      const grads = gradsOf(result);
      const gradName = plan.gradientNames;
      const checks: (() => Verdict)[] = [
        () => expectShape(out, expectedOut.shape, `${name}.forward's output`),
        () => expectFinite(out, `${name}.forward's output`),
        () => expectShape(grads[0], c.inputs[0]!.shape, gradName[0]!),
        () => expectFinite(grads[0], gradName[0]!),
      ];
      const nulls = field(result, "gradsBeforeAreNull");
      const before = field(result, "gradsBefore");
      plan.gradFields.forEach((gradField, k) => {
        checks.push(() =>
          Array.isArray(nulls) && nulls[k] === true
            ? PASS
            : fail(
                `${name}.${gradField} should be null until the first backward, but a new ${name} has ${gradField} = ${describeResult(Array.isArray(before) ? before[k] : undefined)}`,
              ),
        );
      });
      plan.parameterNames.forEach((_, k) => {
        checks.push(
          () => expectShape(grads[k + 1], c.inputs[k + 1]!.shape, gradName[k + 1]!),
          () => expectFinite(grads[k + 1], gradName[k + 1]!),
        );
      });
      return allOf(...checks);
    },
    show: (c) => showLayerCase(plan, c),
  };
}

export function immutableCheck<C extends LayerCase>(
  plan: LayerPlan<C>,
  points: number,
): CheckDefinition<C> {
  const name = plan.exportName;
  const call = constructorCall(plan);
  return {
    ...common(plan, "immutable"),
    title: `${name}: forward and backward leave their inputs unchanged (with correct values)`,
    points,
    requires: [`${plan.id}.forward`, `${plan.id}.backward`],
    cases: plan.cases,
    payload: (c) => layerPayload(plan, c, "full"),
    judge: (c, result) => {
      const after = field(result, "after");
      const read = (list: unknown, i: number) => (Array.isArray(list) ? list[i] : undefined);
      const inputs = field(after, "inputs");
      const checks: (() => Verdict)[] = c.inputs.map(
        (t, i) => () =>
          expectUnchanged(
            t,
            read(inputs, i),
            i === 0
              ? `the input ${plan.inputName} of ${name}.forward`
              : `the parameter ${plan.parameterNames[i - 1]} given to ${call}`,
          ),
      );
      checks.push(() =>
        expectUnchanged(
          c.downstream,
          field(after, "downstream"),
          `the downstream gradient given to ${name}.backward`,
        ),
      );
      const constants = field(after, "constants");
      (c.constants ?? []).forEach((value, i) => {
        if (value instanceof Tensor) {
          checks.push(() =>
            expectUnchanged(
              value,
              read(constants, i),
              `the ${plan.constantNames[i]} given to ${call}`,
            ),
          );
        }
      });
      return allOf(...checks);
    },
    show: (c) => showLayerCase(plan, c),
  };
}
