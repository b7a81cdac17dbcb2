import type { ProblemDefinition } from "../../../assignment/types.js";

export const einsumProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "einsum",
  checks: [],
};
