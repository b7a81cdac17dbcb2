/**
 * Problem 4: the computational graph engine (HOMEWORK.md). Every operation's forwardCall and
 * backwardCall against the public reference forwards and finite differences of them (and of the
 * submission's own forwardCall), immutability, the helpers on Variables, and the engine itself on
 * generated graphs of driver-supplied operations that subclass the submission's `Operation`:
 * reuse, diamonds, random DAGs and long chains (time).
 *
 * The operations' checks are in autograd/opChecks.ts (cases in opCases.ts, the table of
 * operations in opInfos.ts), the helpers' in helperChecks.ts, the engine's in engineChecks.ts
 * (graphs in graphCases.ts).
 */
import type { ProblemDefinition } from "../../../authoring/types.js";
import { engineChecks } from "./autograd/engineChecks.js";
import { helperChecks } from "./autograd/helperChecks.js";
import { opChecks } from "./autograd/opChecks.js";
import { OP_INFOS } from "./autograd/opInfos.js";

/** Problem 4: the operations' checks, then the helpers', then the engine's. */
export const autogradProblem: ProblemDefinition = {
  id: "4",
  title: "Computational graph engine",
  module: "autograd",
  points: 30,
  checks: [...OP_INFOS.flatMap(opChecks), ...helperChecks, ...engineChecks],
};
