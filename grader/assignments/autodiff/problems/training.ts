import type { ProblemDefinition } from "../../../assignment/types.js";

export const trainingProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "training",
  checks: [],
};
