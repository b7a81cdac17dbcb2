/**
 * Problem 4: the computational graph engine (HOMEWORK.md). Every operation's forwardCall and
 * backwardCall against the public reference forwards and finite differences of them (and of the
 * submission's own forwardCall), immutability, the helpers on Variables, and the engine itself on
 * generated graphs of driver-supplied operations that subclass the submission's `Operation`:
 * reuse, diamonds, random DAGs and long chains (time).
 */
import fc from "fast-check";
import {
  dagArb,
  elementwiseVjp,
  numericalVjp,
  oneHotLabelsArb,
  type Tolerance,
  tensorArb,
  tensorsArb,
} from "../../../../checks/index.js";
import {
  evaluateGraph,
  exp,
  type GraphNode,
  matrixMultiply,
  maximum,
  power,
  reduceMax,
  relu,
  scalarMultiply,
  softmaxCrossEntropy,
  sum,
  tensordot,
  variableAdd,
  variableMultiply,
} from "../../../../reference/forward/autograd.js";
import { scalar, Tensor } from "../../../../reference/tensor/index.js";
import {
  allOf,
  describeResult,
  expectTensor,
  expectUnchanged,
  fail,
  PASS,
  showValue,
} from "../../../authoring/judge.js";
import type { CheckDefinition, ProblemDefinition, Verdict } from "../../../authoring/types.js";
import type { GraphPayload, HelperPayload, OpPayload } from "../drivers/autograd.js";
import { contractCases } from "./contractions.js";
import {
  batchAndWidths,
  closeTo,
  downstreamArb,
  field,
  judgeGradients,
  judgeSelfConsistency,
  makeProbes,
  type ProbeStep,
  probeInputs,
  probeSeedArb,
  scalarDownstreamArb,
  withLargeEntries,
} from "./layers.js";

// ---------------------------------------------------------------------------------------------
// Operations: forwardCall and backwardCall
// ---------------------------------------------------------------------------------------------

interface OpCase {
  inputs: Tensor[];
  /** The constructor's argument: k (TensorDot), p (Power) or labels (SoftmaxCrossEntropy). */
  arg?: number | Tensor;
  downstream: Tensor;
  probeSeed: number;
  /** Inputs with entries of very different magnitudes: how the probes step (see makeProbes). */
  stepPerEntry?: ProbeStep;
}

/** The self-consistency probes of an operation case (the same in the payload and the judge). */
const opProbes = (c: OpCase) =>
  makeProbes(c.inputs, c.probeSeed, undefined, c.stepPerEntry ?? false);

interface OpInfo {
  name: string;
  /** How the constructor is called, for messages, e.g. "new TensorDot(k)". */
  construct: string;
  cases: fc.Arbitrary<OpCase>;
  reference: (c: OpCase) => (...inputs: Tensor[]) => Tensor;
  /** Names of the inputs for messages. */
  names: (c: OpCase) => string[];
  backwardPoints: number;
  /** Whether the first input's dim 0 is a batch (rows), so hints may name the batch size. */
  batched?: boolean;
  /** Runs of each check (default: the assignment's), more where a mistake hides in a stratum. */
  runs?: number;
  /** The expected gradient of input i, where plain finite differences of the reference cannot give it. */
  expected?: (c: OpCase, i: number) => Tensor;
}

/**
 * Runs of the contraction checks (TensorDot, tensordot): as many as problem 1's, so each of
 * contractCases' strata (outer products of tensors, k >= 2 with sides >= 2) shows up in every
 * seed (about 1 in 10 million to miss one).
 */
const CONTRACTION_RUNS = 60;

/** The hints' context of an operation's case: the batch size only where there is a batch. */
const opContext = (info: OpInfo, c: OpCase) => ({
  batchSize: info.batched && c.inputs[0]!.ndim === 2 ? c.inputs[0]!.shape[0] : undefined,
});

const numbered = (c: OpCase) => c.inputs.map((_, i) => `input ${i}`);

/** Finishes a case from its inputs: a downstream gradient of the output's shape and a probe seed. */
function withDownstream(
  f: (inputs: Tensor[], arg?: number | Tensor) => Tensor,
  scalarOutput = false,
) {
  return (partial: { inputs: Tensor[]; arg?: number | Tensor }): fc.Arbitrary<OpCase> =>
    fc.record({
      inputs: fc.constant(partial.inputs),
      ...(partial.arg === undefined ? {} : { arg: fc.constant(partial.arg) }),
      downstream: scalarOutput
        ? scalarDownstreamArb
        : downstreamArb(f(partial.inputs, partial.arg).shape),
      probeSeed: probeSeedArb,
    }) as fc.Arbitrary<OpCase>;
}

const anyShape = { minRank: 0, maxRank: 3, maxSide: 3 } as const;

/** n tensors of one shape (n from 1 to 4), exact 0, 1 and -1 mixed in. */
const sameShapeInputs = fc
  .integer({ min: 1, max: 4 })
  .chain((count) => tensorsArb({ count, ...anyShape, specialValues: true }));

const variableAddCases = sameShapeInputs
  .map((inputs) => ({ inputs }))
  .chain(withDownstream((xs) => variableAdd(...xs)));

/** Where to plant an exact zero among a product's factors: null (nowhere) in a third of cases. */
const zeroPlacementArb = fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 3 });

/** The inputs with entry `at` of input `which` (both taken modulo the sizes) set to 0. */
function plantZero(inputs: Tensor[], placement: [number, number] | null): Tensor[] {
  if (placement === null) return inputs;
  const [which, at] = placement;
  const t = inputs[which % inputs.length]!;
  if (t.size === 0) return inputs;
  const data = t.data.slice();
  data[at % t.size] = 0;
  return inputs.map((x) => (x === t ? new Tensor(data, t.shape) : x));
}

/** Products get an exact zero planted in 2 of 3 cases: the gradient must not divide. */
const variableMultiplyCases = fc
  .tuple(sameShapeInputs, zeroPlacementArb)
  .map(([inputs, zero]) => ({ inputs: plantZero(inputs, zero) }))
  .chain(withDownstream((xs) => variableMultiply(...xs)));

const scalarMultiplyCases = fc
  .tuple(
    tensorArb({ shape: [], specialValues: true }),
    tensorArb({ ...anyShape, specialValues: true }),
  )
  .map(([s, x]) => ({ inputs: [s, x] }))
  .chain(withDownstream(([s, x]) => scalarMultiply(s!, x!)));

const matrixMultiplyCases = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 4 }),
  )
  .chain(([n, k, m]) =>
    fc.tuple(
      tensorArb({ shape: [n, k], specialValues: true }),
      tensorArb({ shape: [k, m], specialValues: true }),
    ),
  )
  .map(([A, B]) => ({ inputs: [A, B] }))
  .chain(withDownstream(([A, B]) => matrixMultiply(A!, B!)));

/**
 * Problem 1's contract cases: k from 0 (outer product) to 3, full-rank contractions, and k >= 2
 * with every side >= 2 forced in a quarter of them (so a wrong pairing of the contracted dims
 * cannot pass).
 */
const tensorDotCases = contractCases
  .map(({ a, b, k }) => ({ inputs: [a, b], arg: k }))
  .chain(withDownstream(([A, B], k) => tensordot(A!, B!, k as number)));

/** Positive inputs (HOMEWORK), exponents negative, fractional, 0 and 1 included. */
const powerCases = fc
  .tuple(
    tensorArb({ ...anyShape, min: 0.3, max: 3 }),
    fc.constantFrom(2, 3, -1, 0.5, -0.5, 1.5, 1, 0, -2),
  )
  .map(([x, p]) => ({ inputs: [x], arg: p }))
  .chain(withDownstream(([x], p) => power(x!, p as number)));

const ordinaryExpCases = tensorArb({ ...anyShape, specialValues: true })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => exp(x!)));

/**
 * Exp takes any real x, and e^x is finite up to x = 709.78 (HOMEWORK). Ordinary values with
 * about half the entries replaced by ±600 to ±700, always one positive: e^700 is 1e304, so an
 * input clamped "against overflow" or an output kept in a Float32Array (Infinity above 88.7)
 * is wrong there. Downstream values stay within ±2, so e^x times them stays finite too.
 */
const largeExpCases: fc.Arbitrary<OpCase> = tensorArb({
  minRank: 1,
  maxRank: 3,
  maxSide: 3,
  min: -3,
  max: 3,
  specialValues: true,
})
  .chain((x) => withLargeEntries(x, 600, 700))
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => exp(x!)))
  // Every entry steps by at most 6e-6 whatever its size: the third derivative of e^x over its
  // first is 1 everywhere, so a step scaled to |x| = 700 would only add error.
  .map((c) => ({ ...c, stepPerEntry: "unit" as const }));

/** One Exp case in three has entries near ±700 (25 runs: all miss 1 time in 25000). */
const expCases: fc.Arbitrary<OpCase> = fc.oneof(
  { arbitrary: ordinaryExpCases, weight: 2 },
  { arbitrary: largeExpCases, weight: 1 },
);

/** At least 1e-3 away from the kink at 0, far more than the finite-difference step. */
const reluCases = tensorArb({ ...anyShape, kinks: [0] })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => relu(x!)));

/**
 * n inputs of one shape whose values are all pairwise at least 0.01 apart (no ties, so the
 * maximum is differentiable and finite differences never cross a tie).
 */
const maximumCases = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }))
  .chain(([n, shape]) => tensorArb({ shape: [n, ...shape], distinctBy: 0.01 }))
  .map((stacked) => {
    const [n, ...shape] = stacked.shape;
    const size = stacked.size / n!;
    const inputs = Array.from(
      { length: n! },
      (_, i) => new Tensor(stacked.data.slice(i * size, (i + 1) * size), shape),
    );
    return { inputs };
  })
  .chain(withDownstream((xs) => maximum(...xs)));

const reduceMaxCases = tensorArb({ ...anyShape, distinctBy: 0.01 })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => reduceMax(x!), true));

const sumCases = tensorArb({ ...anyShape, specialValues: true })
  .map((x) => ({ inputs: [x] }))
  .chain(withDownstream(([x]) => sum(x!), true));

const smallLogitCases = batchAndWidths(1)
  .chain(({ batch, widths }) =>
    fc.tuple(
      tensorArb({ shape: [batch, widths[0]!] }),
      oneHotLabelsArb({ batch, classes: widths[0]! }),
    ),
  )
  .map(([logits, labels]) => ({ inputs: [logits], arg: labels }))
  .chain(
    withDownstream(([logits], labels) => softmaxCrossEntropy(logits!, labels as Tensor), true),
  );

/**
 * Logits whose rows spread several hundred: ordinary logits with one entry in about half the
 * rows (always row 0) moved to ±750 to ±850, labels anywhere (on a large entry too). The loss
 * stays finite (up to about 850 when the label sits on a -800), but e^x of an unshifted logit
 * overflows above 709.78, and so does a softmax shifted by anything but the row maximum.
 * Probes step entry by entry, so the ordinary logits keep their small step.
 */
const spreadLogitCases = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 4 }))
  .chain(([batch, c]) =>
    fc.tuple(
      tensorArb({ shape: [batch, c] }),
      oneHotLabelsArb({ batch, classes: c }),
      fc.array(
        fc.tuple(
          fc.boolean(),
          fc.nat({ max: c - 1 }),
          fc.double({ min: 750, max: 850, noNaN: true }),
          fc.boolean(),
        ),
        { minLength: batch, maxLength: batch },
      ),
    ),
  )
  .map(([logits, labels, rows]) => {
    const c = logits.shape[1]!;
    const data = logits.data.slice();
    rows.forEach(([spread, column, magnitude, negative], row) => {
      // Row 0 always spreads, with a positive entry: the one that overflows an unshifted e^x.
      if (row === 0) data[column] = magnitude;
      else if (spread) data[row * c + column] = negative ? -magnitude : magnitude;
    });
    return { inputs: [new Tensor(data, logits.shape)], arg: labels };
  })
  .chain(withDownstream(([logits], labels) => softmaxCrossEntropy(logits!, labels as Tensor), true))
  .map((c) => ({ ...c, stepPerEntry: true }));

/** One case in three has widely spread logits (25 runs: all miss 1 time in 25000). */
const softmaxCrossEntropyCases: fc.Arbitrary<OpCase> = fc.oneof(
  { arbitrary: smallLogitCases, weight: 2 },
  { arbitrary: spreadLogitCases, weight: 1 },
);

const OPS: OpInfo[] = [
  {
    name: "VariableAdd",
    construct: "new VariableAdd()",
    cases: variableAddCases,
    reference: () => variableAdd,
    names: numbered,
    backwardPoints: 0.5,
  },
  {
    name: "VariableMultiply",
    construct: "new VariableMultiply()",
    cases: variableMultiplyCases,
    reference: () => variableMultiply,
    names: numbered,
    backwardPoints: 0.5,
  },
  {
    name: "ScalarMultiply",
    construct: "new ScalarMultiply()",
    cases: scalarMultiplyCases,
    reference: () => (s, x) => scalarMultiply(s!, x!),
    names: () => ["s", "x"],
    backwardPoints: 0.5,
  },
  {
    name: "MatrixMultiply",
    construct: "new MatrixMultiply()",
    cases: matrixMultiplyCases,
    reference: () => (A, B) => matrixMultiply(A!, B!),
    names: () => ["A", "B"],
    backwardPoints: 0.5,
    batched: true,
  },
  {
    name: "TensorDot",
    construct: "new TensorDot(k)",
    cases: tensorDotCases,
    reference: (c) => (A, B) => tensordot(A!, B!, c.arg as number),
    names: () => ["A", "B"],
    backwardPoints: 0.5,
    runs: CONTRACTION_RUNS,
  },
  {
    name: "Power",
    construct: "new Power(p)",
    cases: powerCases,
    reference: (c) => (x) => power(x!, c.arg as number),
    names: () => ["x"],
    backwardPoints: 0.5,
  },
  {
    name: "Exp",
    construct: "new Exp()",
    cases: expCases,
    reference: () => (x) => exp(x!),
    names: () => ["x"],
    backwardPoints: 0.5,
    // Element by element: an entry near e^700 would swamp its neighbours' differences in a sum.
    expected: (c) => elementwiseVjp(exp, c.inputs[0]!, c.downstream),
  },
  {
    name: "ReLU",
    construct: "new ReLU()",
    cases: reluCases,
    reference: () => (x) => relu(x!),
    names: () => ["x"],
    backwardPoints: 0.5,
  },
  {
    name: "Maximum",
    construct: "new Maximum()",
    cases: maximumCases,
    reference: () => maximum,
    names: numbered,
    backwardPoints: 0.5,
  },
  {
    name: "ReduceMax",
    construct: "new ReduceMax()",
    cases: reduceMaxCases,
    reference: () => (x) => reduceMax(x!),
    names: () => ["x"],
    backwardPoints: 0.5,
  },
  {
    name: "Sum",
    construct: "new Sum()",
    cases: sumCases,
    reference: () => (x) => sum(x!),
    names: () => ["x"],
    backwardPoints: 0.5,
  },
  {
    name: "SoftmaxCrossEntropy",
    construct: "new SoftmaxCrossEntropy(labels)",
    cases: softmaxCrossEntropyCases,
    reference: (c) => (logits) => softmaxCrossEntropy(logits!, c.arg as Tensor),
    names: () => ["logits"],
    backwardPoints: 0.5,
    batched: true,
  },
];

function opPayload(info: OpInfo, c: OpCase, mode: "forward" | "full", probes = false): OpPayload {
  return {
    op: info.name,
    arg: c.arg,
    mode,
    inputs: c.inputs,
    downstream: mode === "full" ? c.downstream : undefined,
    probes: probes ? probeInputs(c.inputs, opProbes(c)) : undefined,
  };
}

function showOpCase(info: OpInfo, c: OpCase): string {
  const names = info.names(c);
  const parts: Record<string, unknown> = {};
  if (c.arg !== undefined) parts[info.construct.replace(/^.*\((.*)\)$/, "$1")] = c.arg;
  c.inputs.forEach((t, i) => {
    parts[names[i]!] = t;
  });
  parts["downstream gradient"] = c.downstream;
  return `${info.construct}, forwardCall(${names.join(", ")}), then backwardCall(downstream gradient), with\n${showValue(parts)}`;
}

function opGrads(c: OpCase, result: unknown): unknown[] {
  const grads = field(result, "grads");
  return Array.isArray(grads) ? grads : c.inputs.map(() => grads);
}

/** A short description of a wrong return value of backwardCall, if it is one. */
function gradsProblem(info: OpInfo, c: OpCase, result: unknown): Verdict {
  const grads = field(result, "grads");
  if (!Array.isArray(grads)) {
    return fail(
      `${info.name}.backwardCall should return an array with one gradient per input (${c.inputs.length}), got ${describeResult(grads)}`,
    );
  }
  if (grads.length !== c.inputs.length) {
    return fail(
      `${info.name}.backwardCall returned ${grads.length} gradient${grads.length === 1 ? "" : "s"} for ${c.inputs.length} input${c.inputs.length === 1 ? "" : "s"}; it must return one per input, in order`,
    );
  }
  return PASS;
}

function opChecks(info: OpInfo): CheckDefinition<OpCase>[] {
  const id = `4.${info.name}`;
  const show = (c: OpCase) => showOpCase(info, c);
  const gradName = (c: OpCase) =>
    info.names(c).map((n) => `the gradient of ${n} from ${info.name}.backwardCall`);
  const forwardOk = (c: OpCase, result: unknown, tolerance: Tolerance) =>
    closeTo(field(result, "output"), info.reference(c)(...c.inputs), tolerance);
  return [
    {
      id: `${id}.forward`,
      title: `${info.name}.forwardCall against the reference`,
      points: 0.25,
      cases: info.cases,
      ...(info.runs === undefined ? {} : { runs: info.runs }),
      driver: "autograd.op",
      payload: (c) => opPayload(info, c, "forward"),
      judge: (c, result, ctx) =>
        expectTensor(field(result, "output"), info.reference(c)(...c.inputs), {
          name: `${info.name}.forwardCall`,
          tolerance: ctx.tolerance,
          context: opContext(info, c),
        }),
      show,
    },
    {
      id: `${id}.backward`,
      title: `${info.name}.backwardCall against finite differences of the reference (random downstream gradient)`,
      points: info.backwardPoints,
      cases: info.cases,
      ...(info.runs === undefined ? {} : { runs: info.runs }),
      driver: "autograd.op",
      payload: (c) => opPayload(info, c, "full"),
      judge: (c, result, ctx) =>
        allOf(gradsProblem(info, c, result), () =>
          judgeGradients({
            f: info.reference(c),
            inputs: c.inputs,
            downstream: c.downstream,
            grads: opGrads(c, result),
            names: gradName(c),
            tolerance: ctx.tolerance,
            context: opContext(info, c),
            ...(info.expected ? { expected: (i: number) => info.expected!(c, i) } : {}),
            note: forwardOk(c, result, ctx.tolerance)
              ? undefined
              : `(Your forwardCall differs from the reference too, see ${id}.forward; these expected gradients are those of the reference forward.)`,
          }),
        ),
      show,
    },
    {
      id: `${id}.consistent`,
      title: `${info.name}.backwardCall against finite differences of your own forwardCall (with a correct forwardCall)`,
      points: 0.25,
      // A zero backward agrees with finite differences of a constant forward: the check tells a
      // backward that disagrees with its own forward apart, but earns points only with the forward.
      requires: [`${id}.forward`],
      cases: info.cases,
      ...(info.runs === undefined ? {} : { runs: info.runs }),
      driver: "autograd.op",
      payload: (c) => opPayload(info, c, "full", true),
      judge: (c, result, ctx) =>
        allOf(gradsProblem(info, c, result), () =>
          judgeSelfConsistency({
            what: info.name,
            names: info.names(c),
            inputs: c.inputs,
            downstream: c.downstream,
            grads: opGrads(c, result),
            probes: opProbes(c),
            probeOutputs: field(result, "probeOutputs"),
            tolerance: ctx.tolerance,
            forwardMatches: forwardOk(c, result, ctx.tolerance),
            backwardCheck: `${id}.backward`,
          }),
        ),
      show,
    },
    {
      id: `${id}.immutable`,
      title: `${info.name}: forwardCall and backwardCall leave their inputs unchanged (with correct values)`,
      points: 0.25,
      requires: [`${id}.forward`, `${id}.backward`],
      cases: info.cases,
      ...(info.runs === undefined ? {} : { runs: info.runs }),
      driver: "autograd.op",
      payload: (c) => opPayload(info, c, "full"),
      judge: (c, result) => {
        const after = field(result, "after");
        const inputs = field(after, "inputs");
        const names = info.names(c);
        const checks: (() => Verdict)[] = c.inputs.map(
          (t, i) => () =>
            expectUnchanged(
              t,
              Array.isArray(inputs) ? inputs[i] : undefined,
              `${names[i]} given to ${info.name}.forwardCall`,
            ),
        );
        checks.push(() =>
          expectUnchanged(
            c.downstream,
            field(after, "downstream"),
            `the downstream gradient given to ${info.name}.backwardCall`,
          ),
        );
        if (c.arg instanceof Tensor) {
          const arg = c.arg;
          checks.push(() =>
            expectUnchanged(arg, field(after, "arg"), `the labels given to ${info.construct}`),
          );
        }
        return allOf(...checks);
      },
      show,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Helpers: graphs built with add, sub, mul, ... from leaf Variables
// ---------------------------------------------------------------------------------------------

interface HelperCase {
  inputs: Tensor[];
  extra: number[];
  downstream: Tensor;
}

interface HelperInfo {
  name: string;
  /** The call as a student reads it, e.g. "pow(a, p)". */
  call: string;
  /** Names of the Variable arguments. */
  names: string[];
  cases: fc.Arbitrary<{ inputs: Tensor[]; extra: number[] }>;
  reference: (extra: number[]) => (...inputs: Tensor[]) => Tensor;
  /** Runs of the check (default: the assignment's). */
  runs?: number;
}

const pairOfOneShape = (extra: Parameters<typeof tensorsArb>[0] = { count: 2 }) =>
  tensorsArb({ ...anyShape, specialValues: true, ...extra }).map((inputs) => ({
    inputs,
    extra: [] as number[],
  }));

const oneInput = (constraints: Parameters<typeof tensorArb>[0]) =>
  tensorArb({ ...anyShape, ...constraints }).map((x) => ({ inputs: [x], extra: [] as number[] }));

const minusOne = scalar(-1);

const HELPERS: HelperInfo[] = [
  {
    name: "add",
    call: "add(a, b)",
    names: ["a", "b"],
    cases: pairOfOneShape(),
    reference: () => (a, b) => variableAdd(a!, b!),
  },
  {
    name: "sub",
    call: "sub(a, b)",
    names: ["a", "b"],
    cases: pairOfOneShape(),
    reference: () => (a, b) => variableAdd(a!, scalarMultiply(minusOne, b!)),
  },
  {
    name: "mul",
    call: "mul(a, b)",
    names: ["a", "b"],
    // One shape (3 in 5 cases; then VariableMultiply, with an exact zero planted in 2 of 3),
    // or a scalar [] on either side (then ScalarMultiply).
    cases: fc
      .tuple(
        tensorArb({ ...anyShape, specialValues: true }),
        tensorArb({ shape: [], specialValues: true }),
        fc.constantFrom("same", "same", "same", "scalar first", "scalar second"),
        zeroPlacementArb,
      )
      .chain(([x, s, kind, zero]) => {
        if (kind === "scalar first") return fc.constant({ inputs: [s, x], extra: [] as number[] });
        if (kind === "scalar second") return fc.constant({ inputs: [x, s], extra: [] as number[] });
        return tensorArb({ shape: x.shape, specialValues: true }).map((y) => ({
          inputs: plantZero([x, y], zero),
          extra: [] as number[],
        }));
      }),
    reference: () => (a, b) => {
      if (a!.ndim === 0) return scalarMultiply(a!, b!);
      if (b!.ndim === 0) return scalarMultiply(b!, a!);
      return variableMultiply(a!, b!);
    },
  },
  {
    name: "div",
    call: "div(a, b)",
    names: ["a", "b"],
    // b at least 0.4 away from 0, so 1 / b stays moderate; an exact zero planted in a in 2 of 3
    // cases (a times b^-1 is a product: its gradient must not divide by a).
    cases: fc
      .tuple(tensorArb({ ...anyShape, specialValues: true }), zeroPlacementArb)
      .chain(([a, zero]) =>
        tensorArb({ shape: a.shape, kinks: [0], margin: 0.4 }).map((b) => ({
          inputs: [plantZero([a], zero)[0]!, b],
          extra: [] as number[],
        })),
      ),
    reference: () => (a, b) => variableMultiply(a!, power(b!, -1)),
  },
  {
    name: "neg",
    call: "neg(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => scalarMultiply(minusOne, a!),
  },
  {
    name: "matmul",
    call: "matmul(a, b)",
    names: ["a", "b"],
    cases: matrixMultiplyCases.map((c) => ({ inputs: c.inputs, extra: [] as number[] })),
    reference: () => (a, b) => matrixMultiply(a!, b!),
  },
  {
    name: "pow",
    call: "pow(a, p)",
    names: ["a"],
    cases: powerCases.map((c) => ({ inputs: c.inputs, extra: [c.arg as number] })),
    reference:
      ([p]) =>
      (a) =>
        power(a!, p!),
  },
  {
    name: "exp",
    call: "exp(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => exp(a!),
  },
  {
    name: "relu",
    call: "relu(a)",
    names: ["a"],
    cases: oneInput({ kinks: [0] }),
    reference: () => (a) => relu(a!),
  },
  {
    name: "tensordot",
    call: "tensordot(a, b, k)",
    names: ["a", "b"],
    cases: contractCases.map(({ a, b, k }) => ({ inputs: [a, b], extra: [k] })),
    runs: CONTRACTION_RUNS,
    reference:
      ([k]) =>
      (a, b) =>
        tensordot(a!, b!, k!),
  },
  {
    name: "sum",
    call: "sum(a)",
    names: ["a"],
    cases: oneInput({ specialValues: true }),
    reference: () => (a) => sum(a!),
  },
];

function helperCheck(info: HelperInfo): CheckDefinition<HelperCase> {
  const cases = info.cases.chain(({ inputs, extra }) =>
    downstreamArb(info.reference(extra)(...inputs).shape).map((downstream) => ({
      inputs,
      extra,
      downstream,
    })),
  );
  return {
    id: `4.helpers.${info.name}`,
    title: `z = ${info.call} on leaf Variables: z.data, and every leaf's grad after z.backward(seed)`,
    points: 0.5,
    ...(info.runs === undefined ? {} : { runs: info.runs }),
    cases,
    driver: "autograd.helper",
    payload: (c): HelperPayload => ({
      helper: info.name,
      inputs: c.inputs,
      extra: c.extra,
      downstream: c.downstream,
    }),
    judge: (c, result, ctx) => {
      const f = info.reference(c.extra);
      if (field(result, "notVariable") === true) {
        return fail(
          `${info.call} should return a Variable, got ${describeResult(field(result, "value"))}`,
        );
      }
      return allOf(
        () =>
          expectTensor(field(result, "value"), f(...c.inputs), {
            name: `z.data for z = ${info.call}`,
            tolerance: ctx.tolerance,
          }),
        () => {
          const grads = field(result, "grads");
          return judgeGradients({
            f,
            inputs: c.inputs,
            downstream: c.downstream,
            grads: Array.isArray(grads) ? grads : [],
            names: info.names.map((n) => `${n}.grad after z = ${info.call}; z.backward(seed)`),
            tolerance: ctx.tolerance,
          });
        },
      );
    },
    show: (c) => {
      const parts: Record<string, unknown> = {};
      info.names.forEach((n, i) => {
        parts[n] = c.inputs[i];
      });
      if (info.name === "pow") parts.p = c.extra[0];
      if (info.name === "tensordot") parts.k = c.extra[0];
      parts.seed = c.downstream;
      return `z = ${info.call} with leaves new Variable(...) of\n${showValue(parts)}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The engine on generated graphs of driver-supplied operations
// ---------------------------------------------------------------------------------------------

interface GraphCase {
  inputs: Tensor[];
  /** The graph; the last node is z. Earlier nodes may be values z never uses (dead branches). */
  nodes: GraphNode[];
  /** Nodes built after z that z does not use (args index inputs, nodes, then these). */
  after?: GraphNode[];
  downstream: Tensor;
  /** Call z.backward() without a seed (the default seed is ones of z's shape). */
  seedless?: boolean;
  /**
   * The graph is built and backpropagated once, every leaf's grad set back to null, and the graph
   * built again with new operations over the same leaf Variables; the second backward is graded.
   */
  again?: boolean;
  /** Stop the backward once the graph's operations ran backwardCall more often than this. */
  callCap?: number;
  /** What the graph is, for messages. */
  label: string;
}

/** The graph's value as a function of its inputs (the reference operations of GRAPH_OPS). */
const graphFunction =
  (nodes: readonly GraphNode[]) =>
  (...inputs: Tensor[]): Tensor =>
    evaluateGraph(nodes, inputs);

/** Where value `index` is used on the way to z: (node, argument position) pairs. */
function usesOf(
  nodes: readonly GraphNode[],
  index: number,
  inputCount: number,
): [number, number][] {
  const needed = dependencies(nodes, inputCount);
  return nodes.flatMap((node, n) =>
    needed[inputCount + n]
      ? node.args.flatMap((a, position): [number, number][] => (a === index ? [[n, position]] : []))
      : [],
  );
}

/** Explains a wrong leaf gradient of a reused leaf: is it the gradient along one use only? */
function reuseHint(c: GraphCase, leaf: number, actual: unknown, tolerance: Tolerance): string {
  const uses = usesOf(c.nodes, leaf, c.inputs.length);
  if (uses.length < 2 || !(actual instanceof Tensor)) return "";
  for (const [node, position] of uses) {
    const alongOne = numericalVjp(
      (x: Tensor) =>
        evaluateGraph(c.nodes, c.inputs, (n, p, value) =>
          n === node && p === position ? x : value,
        ),
      [c.inputs[leaf]!],
      c.downstream,
    );
    if (closeTo(actual, alongOne, tolerance)) {
      return `\n  hint: x${leaf} is used ${uses.length} times, and its grad is the gradient along one of those uses only (argument ${position} of v${node}); the gradients arriving along all uses must be added, not overwritten`;
    }
  }
  return `\n  hint: x${leaf} is used ${uses.length} times; its grad must be the sum of the gradients along all of its uses, each path counted once`;
}

/** Which values the last node depends on (HOMEWORK: the others are not inspected). */
function dependencies(nodes: readonly GraphNode[], inputCount: number): boolean[] {
  const needed = new Array<boolean>(inputCount + nodes.length).fill(false);
  needed[needed.length - 1] = true;
  for (let n = nodes.length - 1; n >= 0; n--) {
    if (!needed[inputCount + n]) continue;
    for (const a of nodes[n]!.args) needed[a] = true;
  }
  return needed;
}

function judgeGraph(c: GraphCase, result: unknown, tolerance: Tolerance): Verdict {
  const f = graphFunction(c.nodes);
  const value = expectTensor(field(result, "value"), f(...c.inputs), {
    name: `the value of ${c.label}`,
    tolerance,
  });
  if (!value.pass) return value;
  const grads = field(result, "grads");
  const list = Array.isArray(grads) ? grads : [];
  const needed = dependencies(c.nodes, c.inputs.length);
  for (let i = 0; i < c.inputs.length; i++) {
    if (!needed[i]) continue;
    const expected = numericalVjp(f, c.inputs, c.downstream, i);
    const verdict = expectTensor(list[i], expected, {
      name: `x${i}.grad after z.backward(${c.seedless ? "" : "seed"}) on ${c.label}`,
      tolerance,
    });
    if (!verdict.pass) {
      return fail(verdict.message + reuseHint(c, i, list[i], tolerance) + graphHint(c, list[i]));
    }
  }
  return PASS;
}

/** Whether the case has values that z never uses. */
function hasDeadValues(c: GraphCase): boolean {
  return (c.after ?? []).length > 0 || dependencies(c.nodes, c.inputs.length).includes(false);
}

/** Explains a wrong leaf gradient by what is special about the graph: dead values, a reused leaf. */
function graphHint(c: GraphCase, actual: unknown): string {
  const hints: string[] = [];
  if ((actual === null || actual === undefined) && hasDeadValues(c)) {
    hints.push(
      "\n  hint: this graph also computes values that z never uses (marked below); a Variable must not wait for gradients from uses that do not lead to z: count uses only on the way from z (e.g. a topological order of what z depends on), not every operation that ever took the Variable",
    );
  }
  if (c.again) {
    hints.push(
      "\n  hint: the leaf Variables were used by an earlier graph (built and backpropagated first, then every leaf's grad set back to null); nothing left over from the earlier backward (visited flags, counters, caches) may change the new graph's gradients",
    );
  }
  return hints.join("");
}

function showGraph(c: GraphCase): string {
  const nInputs = c.inputs.length;
  const name = (i: number) => (i < nInputs ? `x${i}` : `v${i - nInputs}`);
  const needed = dependencies(c.nodes, nInputs);
  const line = (node: GraphNode, n: number, note: string) =>
    `  ${name(nInputs + n)} = ${node.op}(${node.args.map(name).join(", ")})${note}`;
  const lines = c.nodes.map((node, n) =>
    line(node, n, needed[nInputs + n] ? "" : "   (z does not use it)"),
  );
  const shown = lines.length > 12 ? [...lines.slice(0, 6), "  ...", ...lines.slice(-3)] : lines;
  const after = (c.after ?? []).map((node, k) =>
    line(node, c.nodes.length + k, "   (built after z, z does not use it)"),
  );
  const parts: Record<string, unknown> = {};
  c.inputs.forEach((t, i) => {
    parts[`x${i}`] = t;
  });
  if (!c.seedless) parts.seed = c.downstream;
  const z = name(nInputs + c.nodes.length - 1);
  const again = c.again
    ? "\nThe graph was built and backpropagated once, every leaf's grad set back to null, then the graph built again with new operations over the same leaf Variables; this is the second backward."
    : "";
  return `${c.label}:\n${[...shown, ...after].join("\n")}\nz = ${z}; z.backward(${c.seedless ? "" : "seed"}), with\n${showValue(parts)}${again}`;
}

function graphPayload(c: GraphCase): GraphPayload {
  return {
    inputs: c.inputs,
    nodes: c.nodes,
    after: c.after,
    downstream: c.downstream,
    seedless: c.seedless,
    again: c.again,
    callCap: c.callCap,
  };
}

/**
 * A value that z never uses: [operation (sin, scale or mul(a, a)), where it goes among the nodes,
 * which earlier value it takes]. HOMEWORK: "Graphs include values that are computed and never
 * used by the output"; a Variable that waits for every use it ever had never hears from these.
 */
type DeadDraw = [number, number, number];

const DEAD_OPS = ["sin", "scale", "mul"] as const;

const deadNode = (kind: number, a: number): GraphNode => {
  const op = DEAD_OPS[kind % DEAD_OPS.length]!;
  return { op, args: op === "mul" ? [a, a] : [a] };
};

/** Dead values: some built among the graph's nodes (before z), some after z. */
export interface DeadBranches {
  before: DeadDraw[];
  after: DeadDraw[];
}

const deadDrawArb = fc.tuple(fc.nat(DEAD_OPS.length - 1), fc.nat(), fc.nat());

/** Dead branches in all but 1 in `freq` cases (null there): 1 or 2 before z, 1 or 2 after. */
const deadBranchesArb = (freq: number) =>
  fc.option(
    fc.record({
      before: fc.array(deadDrawArb, { minLength: 1, maxLength: 2 }),
      after: fc.array(deadDrawArb, { minLength: 1, maxLength: 2 }),
    }),
    { freq },
  );

/**
 * The graph with values that z never uses, each taking a value z does use: `before` ones
 * inserted among the nodes (z stays the last node), `after` ones built after z. The first
 * `after` one takes a value that is neither a leaf nor z when there is one (an intermediate that
 * waits for all its uses then never sends its gradient on).
 */
export function withDeadBranches(
  inputCount: number,
  nodes: readonly GraphNode[],
  dead: DeadBranches,
): { nodes: GraphNode[]; after: GraphNode[] } {
  const needed = dependencies(nodes, inputCount);
  const insertAt = new Map<number, DeadDraw[]>();
  for (const draw of dead.before) {
    const j = draw[1] % nodes.length;
    insertAt.set(j, [...(insertAt.get(j) ?? []), draw]);
  }
  const index = Array.from({ length: inputCount }, (_, i) => i);
  const live = index.filter((i) => needed[i]);
  const out: GraphNode[] = [];
  nodes.forEach((node, j) => {
    for (const [kind, , a] of insertAt.get(j) ?? [])
      out.push(deadNode(kind, live[a % live.length]!));
    const at = inputCount + out.length;
    index.push(at);
    out.push({ op: node.op, args: node.args.map((x) => index[x]!) });
    if (needed[inputCount + j]) live.push(at);
  });
  const z = inputCount + out.length - 1;
  const intermediates = live.filter((v) => v >= inputCount && v !== z);
  const after = dead.after.map(([kind, , a], k) =>
    deadNode(
      kind,
      k === 0 && intermediates.length > 0
        ? intermediates[a % intermediates.length]!
        : live[a % live.length]!,
    ),
  );
  return { nodes: out, after };
}

/** The label's note on what else the graph does. */
const extras = (dead: boolean, again: boolean) =>
  `${dead ? ", with values z never uses" : ""}${again ? ", built a second time over the same leaf Variables" : ""}`;

/** Small graphs in which input 0 (x0) is used more than once. */
const REUSE_GRAPHS: { label: string; nodes: GraphNode[] }[] = [
  {
    label: "z = mul(x0, add(x0, x1))",
    nodes: [
      { op: "add", args: [0, 1] },
      { op: "mul", args: [0, 2] },
    ],
  },
  {
    label: "z = add(mul(x0, x0), x1)",
    nodes: [
      { op: "mul", args: [0, 0] },
      { op: "add", args: [2, 1] },
    ],
  },
  {
    label: "the lecture's z = x0 (x0 + x1)^2 (s = add(x0, x1), z = mul(x0, mul(s, s)))",
    nodes: [
      { op: "add", args: [0, 1] },
      { op: "mul", args: [2, 2] },
      { op: "mul", args: [0, 3] },
    ],
  },
  {
    label: "z = add(x0, x0, x1)",
    nodes: [{ op: "add", args: [0, 0, 1] }],
  },
  {
    label: "z = add(sin(x0), x0, scale(x0), x1)",
    nodes: [
      { op: "sin", args: [0] },
      { op: "scale", args: [0] },
      { op: "add", args: [2, 0, 3, 1] },
    ],
  },
];

const graphInputs = (count: number) =>
  tensorsArb({ count, minRank: 0, maxRank: 2, maxSide: 3, min: -2, max: 2, specialValues: true });

function finishGraph(
  label: string,
  nodes: GraphNode[],
  inputs: Tensor[],
  seedless = false,
  more: { dead?: DeadBranches | null; again?: boolean } = {},
): fc.Arbitrary<GraphCase> {
  const shape = evaluateGraph(nodes, inputs).shape;
  const graph = more.dead
    ? withDeadBranches(inputs.length, nodes, more.dead)
    : { nodes, after: [] as GraphNode[] };
  return downstreamArb(shape).map((downstream) => ({
    inputs,
    nodes: graph.nodes,
    ...(graph.after.length > 0 ? { after: graph.after } : {}),
    downstream: seedless
      ? new Tensor(new Float64Array(downstream.size).fill(1), shape)
      : downstream,
    seedless,
    ...(more.again ? { again: true } : {}),
    label: label + extras(graph.after.length > 0, more.again === true),
  }));
}

/** Leaves reused by a second graph in 1 of 3 cases. */
const againArb = fc.constantFrom(false, false, true);

const reuseCases = fc
  .tuple(fc.nat(REUSE_GRAPHS.length - 1), graphInputs(2), deadBranchesArb(3), againArb)
  .chain(([which, inputs, dead, again]) => {
    const graph = REUSE_GRAPHS[which]!;
    return finishGraph(graph.label, graph.nodes, inputs, false, { dead, again });
  });

/** 1 to 4 diamonds in a row: v -> (sin(v), scale(v)) -> mul, or add(sin(v), scale(v), v). */
const diamondCases = fc
  .tuple(
    fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    graphInputs(1),
    fc.boolean(),
    deadBranchesArb(3),
  )
  .chain(([kinds, inputs, seedless, dead]) => {
    const nodes: GraphNode[] = [];
    let previous = 0;
    for (const withAdd of kinds) {
      const start = 1 + nodes.length;
      nodes.push({ op: "sin", args: [previous] }, { op: "scale", args: [previous] });
      nodes.push(
        withAdd
          ? { op: "add", args: [start, start + 1, previous] }
          : { op: "mul", args: [start, start + 1] },
      );
      previous = start + 2;
    }
    return finishGraph(
      `${kinds.length} diamond${kinds.length === 1 ? "" : "s"} in a row`,
      nodes,
      inputs,
      seedless,
      { dead },
    );
  });

/**
 * The graph with one node of 2 or more arguments made to take one value twice (HOMEWORK: "inputs
 * used twice by one operation"): the value it takes from the previous node in a second argument
 * slot, or (`other`, with 3 arguments) one of its other arguments in the third slot too. The
 * node (`which`, among those with 2 or more arguments) keeps the previous node as an argument,
 * so the graph stays connected. dagArb gives every argument of a node one shape.
 */
export function usedTwice(
  nodes: readonly GraphNode[],
  inputCount: number,
  which: number,
  other: boolean,
): GraphNode[] {
  const wide = nodes.flatMap((node, n) => (node.args.length >= 2 ? [n] : []));
  if (wide.length === 0) return [...nodes];
  const n = wide[which % wide.length]!;
  const args = [...nodes[n]!.args];
  const spine = Math.max(0, args.indexOf(inputCount + n - 1));
  const others = args.flatMap((_, p) => (p === spine ? [] : [p]));
  if (other && others.length >= 2) args[others[1]!] = args[others[0]!]!;
  else args[others[0]!] = args[spine]!;
  return nodes.map((node, m) => (m === n ? { op: node.op, args } : node));
}

/**
 * Random graphs whose values all stay in [-1, 1] (inputs in [-1, 1]; mean, mul, sin, scale and
 * meanAll never leave it), so derivatives are moderate and finite differences accurate.
 */
const dagCases = dagArb({
  ops: {
    mean: { arity: "variadic", minArity: 2, maxArity: 3 },
    mul: { arity: 2 },
    sin: { arity: 1 },
    scale: { arity: 1 },
    meanAll: { arity: 1, output: "scalar" },
  },
  maxInputs: 3,
  maxNodes: 8,
  min: -1,
  max: 1,
  specialValues: true,
}).chain((dag) =>
  fc
    .tuple(fc.option(fc.tuple(fc.nat(), fc.boolean()), { freq: 3 }), deadBranchesArb(3), againArb)
    .chain(([twice, dead, again]) => {
      const nodes = twice ? usedTwice(dag.nodes, dag.inputs.length, ...twice) : dag.nodes;
      const label = `a random graph of ${nodes.length} operations`;
      return finishGraph(label, nodes, dag.inputs, false, { dead, again });
    }),
);

/** Chains of 100 to 200 steps v_{i+1} = add(v_i, v_i): exponential in time unless each Variable waits for all its uses. */
const longChainCases = fc
  .tuple(fc.integer({ min: 100, max: 200 }), graphInputs(1))
  .chain(([length, inputs]) => {
    const nodes: GraphNode[] = Array.from({ length }, (_, i) => ({ op: "add", args: [i, i] }));
    return finishGraph(`a chain of ${length} steps v = add(v, v)`, nodes, inputs).map((c) => ({
      ...c,
      callCap: LONG_CHAIN_CALLS_PER_STEP * length,
    }));
  });

/**
 * A linear backward runs each operation's backwardCall once per backward: the chain's limit is
 * this many calls per step (generous), counted in the child, so the verdict does not depend on
 * how busy the machine is. An engine that backpropagates once per path is stopped there.
 */
export const LONG_CHAIN_CALLS_PER_STEP = 4;

/** The long chain's judge: the gradients, then how often backwardCall ran. */
function judgeLongChain(c: GraphCase, result: unknown, tolerance: Tolerance): Verdict {
  const steps = c.nodes.length;
  const calls = field(result, "backwardCalls");
  if (field(result, "capped") === true) {
    return fail(
      `backpropagating ${c.label} ran the operations' backwardCall more than ${c.callCap} times for ${steps} operations, and was stopped there: the backward pass must run each operation's backwardCall once (let every Variable collect the gradients of all its uses before passing its own on, e.g. in reverse topological order), not once per path`,
    );
  }
  const verdict = judgeGraph(c, result, tolerance);
  if (!verdict.pass) return verdict;
  if (typeof calls === "number" && calls < steps) {
    return fail(
      `backpropagating ${c.label} ran the operations' backwardCall ${calls} times for ${steps} operations: each operation on the way to z must run once`,
    );
  }
  return PASS;
}
const engineChecks: CheckDefinition<GraphCase>[] = [
  {
    id: "4.engine.reuse",
    title: "a Variable used several times gets the sum of the gradients of all its uses",
    points: 2,
    cases: reuseCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.diamond",
    title: "diamonds: every path counted exactly once (seed given, or the default seed)",
    points: 2,
    cases: diamondCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.dag",
    title: "random graphs of operations subclassing your Operation: gradients of every input",
    points: 3,
    cases: dagCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeGraph(c, result, ctx.tolerance),
    show: showGraph,
  },
  {
    id: "4.engine.longChain",
    title: `a chain of 100 to 200 steps, each using the previous Variable twice: right, with each operation's backwardCall run once (at most ${LONG_CHAIN_CALLS_PER_STEP} calls per step)`,
    points: 2.5,
    runs: 1,
    // Only a fence now: the calls are counted, so a slow machine cannot fail a linear engine.
    timeoutMs: 3000,
    timeoutHint:
      "backward must take time linear in the graph: sum each Variable's gradient over all its uses before passing it on, instead of backpropagating once per path",
    cases: longChainCases,
    driver: "autograd.graph",
    payload: graphPayload,
    judge: (c, result, ctx) => judgeLongChain(c, result, ctx.tolerance),
    show: showGraph,
  },
];

export const autogradProblem: ProblemDefinition = {
  id: "4",
  title: "Computational graph engine",
  module: "autograd",
  points: 30,
  checks: [...OPS.flatMap(opChecks), ...HELPERS.map(helperCheck), ...engineChecks],
};
