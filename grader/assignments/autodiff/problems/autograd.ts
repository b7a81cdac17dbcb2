import type { ProblemDefinition } from "../../../assignment/types.js";

export const autogradProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "autograd",
  checks: [],
};
