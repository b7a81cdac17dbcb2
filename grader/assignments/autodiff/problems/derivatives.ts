import type { ProblemDefinition } from "../../../assignment/types.js";

export const derivativesProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "derivatives",
  checks: [],
};
