import type fc from "fast-check";
import { elementwiseVjp } from "../../../../../checks/index.js";
import {
  exp,
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
} from "../../../../../reference/forward/autograd.js";
import type { Tensor } from "../../../../../reference/tensor/index.js";
import {
  CONTRACTION_RUNS,
  expCases,
  matrixMultiplyCases,
  maximumCases,
  type OpCase,
  powerCases,
  reduceMaxCases,
  reluCases,
  scalarMultiplyCases,
  softmaxCrossEntropyCases,
  sumCases,
  tensorDotCases,
  variableAddCases,
  variableMultiplyCases,
} from "./opCases.js";

/** What problem 4 grades of one operation: its constructor, reference, cases and points. */
export interface OpInfo {
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

/** Inputs named by position, for operations of any number of inputs. */
const numbered = (c: OpCase) => c.inputs.map((_, i) => `input ${i}`);

/** Every operation of problem 4 in grading order. */
export const OP_INFOS: OpInfo[] = [
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
