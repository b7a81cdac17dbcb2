/**
 * The five checks of one layer of problem 3: forward against the reference, backward against
 * finite differences of the reference and of the submission's own forward, shapes and
 * finiteness, and immutability. The forward and backward checks use every layer object twice (a
 * second forward on another input, its backward, and that backward once more), as training does.
 */
import type { Tolerance } from "../../../../../checks/index.js";
import {
  allOf,
  describeResult,
  expectFinite,
  expectShape,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../../authoring/judge.js";
import type { CheckDefinition, Verdict } from "../../../../authoring/types.js";
import { closeTo } from "../shared/closeTo.js";
import { field } from "../shared/field.js";
import { judgeGradients } from "../shared/judgeGradients.js";
import { judgeSelfConsistency } from "../shared/judgeSelfConsistency.js";
import {
  casesWithAgain,
  type LayerCase,
  type LayerInfo,
  layerPayload,
  layerProbes,
  referenceGradient,
} from "./layerCase.js";

type LayerCheck = CheckDefinition<LayerCase>;

const REUSE_NOTE =
  "(A layer object is used many times: each backward uses the state saved by the most recent forward, and sets grad to the gradient of that call alone, never adding to the previous one.)";

/** The second round's part of a layer case, shown with the first. */
function showAgain(c: LayerCase, mode: "forward" | "full"): string {
  if (!c.again) return "";
  const parts: Record<string, unknown> = {
    [`second forward's ${c.layer === "CrossEntropy" ? "P" : "X"}`]: c.again.input,
  };
  if (mode === "full") parts["second downstream gradient"] = c.again.downstream;
  const steps =
    mode === "forward"
      ? "then, on the same object, forward again"
      : "then, on the same object, forward and backward again, and backward once more";
  return `\n${steps}, with\n${showValue(parts)}`;
}

function showLayerCase(c: LayerCase): string {
  const parts: Record<string, unknown> = { X: c.inputs[0] };
  if (c.layer === "Linear") parts.W = c.inputs[1];
  if (c.layer === "Bias") parts.b = c.inputs[1];
  if (c.layer === "CrossEntropy") {
    parts.P = c.inputs[0];
    delete parts.X;
    parts.labels = c.labels;
  }
  parts["downstream gradient"] = c.downstream;
  return `new ${c.layer}(${c.layer === "Linear" ? "W" : c.layer === "Bias" ? "b" : c.layer === "CrossEntropy" ? "labels" : ""}) with\n${showValue(parts)}`;
}

function batchOf(c: LayerCase): number | undefined {
  const x = c.inputs[0]!;
  return x.ndim === 2 ? x.shape[0] : undefined;
}

function forwardMatches(info: LayerInfo, c: LayerCase, output: unknown, tolerance: Tolerance) {
  return closeTo(output, info.reference(c)(...c.inputs), tolerance);
}

function layerGrads(c: LayerCase, result: unknown): unknown[] {
  return c.inputs.length > 1
    ? [field(result, "inputGrad"), field(result, "paramGrad")]
    : [field(result, "inputGrad")];
}

/** The parameter's name in messages (W or b; used only for Linear and Bias). */
const paramNameOf = (info: LayerInfo) => (info.name === "Linear" ? "W" : "b");

/** The input's name in messages: P for CrossEntropy's probabilities, X otherwise. */
const inputNameOf = (info: LayerInfo) => (info.name === "CrossEntropy" ? "P" : "X");

function hasParameter(info: LayerInfo): boolean {
  return info.name === "Linear" || info.name === "Bias";
}

/** The checks of one layer, in grading order. */
export function layerChecks(info: LayerInfo): LayerCheck[] {
  // Only the forward and backward checks use the second round (see casesWithAgain).
  const cases = casesWithAgain(info);
  return [
    forwardCheck(info, cases),
    backwardCheck(info, cases),
    consistentCheck(info),
    shapesCheck(info),
    immutableCheck(info),
  ];
}

function forwardCheck(info: LayerInfo, cases: LayerCheck["cases"]): LayerCheck {
  return {
    id: `3.${info.name}.forward`,
    title: `${info.name}.forward against the reference`,
    points: info.points.forward,
    cases,
    driver: "layers.layer",
    payload: (c) => layerPayload(c, "forward", { again: true }),
    judge: (c, result, ctx) => {
      const first = expectTensor(field(result, "output"), info.reference(c)(...c.inputs), {
        name: `${info.name}.forward`,
        tolerance: ctx.tolerance,
        context: { batchSize: batchOf(c) },
      });
      if (!first.pass || !c.again) return first;
      const again = expectTensor(
        field(field(result, "again"), "output"),
        info.reference(c)(c.again.input, ...c.inputs.slice(1)),
        {
          name: `${info.name}.forward called a second time on the same object (with the second input)`,
          tolerance: ctx.tolerance,
          context: { batchSize: batchOf(c) },
        },
      );
      return again.pass ? again : fail(`${again.message}\n${REUSE_NOTE}`);
    },
    show: (c) => `${showLayerCase(c)}${showAgain(c, "forward")}`,
  };
}

function backwardCheck(info: LayerInfo, cases: LayerCheck["cases"]): LayerCheck {
  const id = `3.${info.name}`;
  return {
    id: `${id}.backward`,
    title: `${info.name}.backward against finite differences of the reference (random downstream gradient)`,
    points: info.points.backward,
    cases,
    driver: "layers.layer",
    payload: (c) => layerPayload(c, "full", { again: true }),
    judge: (c, result, ctx) => {
      const first = judgeGradients({
        f: info.reference(c),
        inputs: c.inputs,
        downstream: c.downstream,
        grads: layerGrads(c, result),
        names: info.names,
        tolerance: ctx.tolerance,
        context: { batchSize: batchOf(c) },
        expected: (i) => referenceGradient(info, c, c.inputs, c.downstream, i),
        note: forwardMatches(info, c, field(result, "output"), ctx.tolerance)
          ? undefined
          : `(Your forward differs from the reference too, see ${id}.forward; these expected gradients are those of the reference forward.)`,
      });
      if (!first.pass || !c.again) return first;
      return judgeSecondRound(info, c, c.again, field(result, "again"), ctx.tolerance);
    },
    show: (c) => `${showLayerCase(c)}${showAgain(c, "full")}`,
  };
}

/**
 * The second round, on the same object: the gradients of a new forward's backward, and of that
 * backward called once more, against the reference at the second input.
 */
function judgeSecondRound(
  info: LayerInfo,
  c: LayerCase,
  round: NonNullable<LayerCase["again"]>,
  again: unknown,
  tolerance: Tolerance,
): Verdict {
  const inputs = [round.input, ...c.inputs.slice(1)];
  const expected = inputs.map((_, i) => referenceGradient(info, c, inputs, round.downstream, i));
  const rounds: [string, unknown[]][] = [
    [
      "after a second forward (other input) and its backward on the same object",
      [field(again, "inputGrad"), field(again, "paramGrad")],
    ],
    [
      "after that backward was called once more (same downstream gradient, no new forward)",
      [field(again, "repeatInputGrad"), field(again, "repeatParamGrad")],
    ],
  ];
  for (const [when, grads] of rounds) {
    const verdict = judgeGradients({
      f: info.reference(c),
      inputs,
      downstream: round.downstream,
      grads,
      names: info.names.map((name) => `${name} ${when}`),
      tolerance,
      context: { batchSize: batchOf(c) },
      expected: (i) => expected[i]!,
      note: REUSE_NOTE,
    });
    if (!verdict.pass) return verdict;
  }
  return PASS;
}

function consistentCheck(info: LayerInfo): LayerCheck {
  const id = `3.${info.name}`;
  const paramName = paramNameOf(info);
  const inputName = inputNameOf(info);
  return {
    id: `${id}.consistent`,
    title: `${info.name}.backward against finite differences of your own forward (with a correct forward)`,
    points: info.points.consistent,
    // A backward that agrees with a wrong forward (zeros and a constant agree) earns nothing.
    requires: [`${id}.forward`],
    cases: info.cases,
    driver: "layers.layer",
    payload: (c) => layerPayload(c, "full", { probes: true }),
    judge: (c, result, ctx) =>
      judgeSelfConsistency({
        what: info.name,
        names: [inputName, paramName],
        inputs: c.inputs,
        downstream: c.downstream,
        grads: layerGrads(c, result),
        probes: layerProbes(c),
        probeOutputs: field(result, "probeOutputs"),
        tolerance: ctx.tolerance,
        forwardMatches: forwardMatches(info, c, field(result, "output"), ctx.tolerance),
        backwardCheck: `${id}.backward`,
      }),
    show: showLayerCase,
  };
}

function shapesCheck(info: LayerInfo): LayerCheck {
  const id = `3.${info.name}`;
  return {
    id: `${id}.shapes`,
    title: `${info.name}: output and gradient shapes, finite numbers${hasParameter(info) ? ", grad null before the first backward" : ""} (with correct values)`,
    points: info.points.shapes,
    requires: [`${id}.forward`, `${id}.backward`],
    cases: info.cases,
    driver: "layers.layer",
    payload: (c) => layerPayload(c, "full"),
    judge: (c, result) => {
      const expectedOut = info.reference(c)(...c.inputs);
      const out = field(result, "output");
      const grads = layerGrads(c, result);
      const checks: (() => Verdict)[] = [
        () => expectShape(out, expectedOut.shape, `${info.name}.forward's output`),
        () => expectFinite(out, `${info.name}.forward's output`),
        () => expectShape(grads[0], c.inputs[0]!.shape, info.names[0]!),
        () => expectFinite(grads[0], info.names[0]!),
      ];
      if (c.inputs.length > 1) {
        checks.push(
          () =>
            field(result, "gradBeforeIsNull") === true
              ? PASS
              : fail(
                  `${info.name}.grad should be null until the first backward, but a new ${info.name} has grad = ${describeResult(field(result, "gradBefore"))}`,
                ),
          () => expectShape(grads[1], c.inputs[1]!.shape, info.names[1]!),
          () => expectFinite(grads[1], info.names[1]!),
        );
      }
      return allOf(...checks);
    },
    show: showLayerCase,
  };
}

function immutableCheck(info: LayerInfo): LayerCheck {
  const id = `3.${info.name}`;
  const paramName = paramNameOf(info);
  const inputName = inputNameOf(info);
  return {
    id: `${id}.immutable`,
    title: `${info.name}: forward and backward leave their inputs unchanged (with correct values)`,
    points: info.points.immutable,
    requires: [`${id}.forward`, `${id}.backward`],
    cases: info.cases,
    driver: "layers.layer",
    payload: (c) => layerPayload(c, "full"),
    judge: (c, result) => {
      const after = field(result, "after");
      const inputs = field(after, "inputs");
      const read = (i: number) => (Array.isArray(inputs) ? inputs[i] : undefined);
      const checks: (() => Verdict)[] = c.inputs.map(
        (t, i) => () =>
          expectUnchanged(
            t,
            read(i),
            i === 0
              ? `the input ${inputName} of ${info.name}.forward`
              : `the parameter ${paramName} given to new ${info.name}(${paramName})`,
          ),
      );
      checks.push(() =>
        expectUnchanged(
          c.downstream,
          field(after, "downstream"),
          `the downstream gradient given to ${info.name}.backward`,
        ),
      );
      if (c.labels) {
        checks.push(() =>
          expectUnchanged(
            c.labels!,
            field(after, "labels"),
            "the labels given to new CrossEntropy(labels)",
          ),
        );
      }
      return allOf(...checks);
    },
    show: showLayerCase,
  };
}
