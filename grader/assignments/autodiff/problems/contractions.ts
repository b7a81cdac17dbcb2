import type { ProblemDefinition } from "../../../assignment/types.js";

export const contractionsProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "contractions",
  checks: [],
};
