import type { ProblemDefinition } from "../../../assignment/types.js";

export const layersProblem: ProblemDefinition = {
  id: "PLACEHOLDER",
  title: "PLACEHOLDER",
  module: "layers",
  checks: [],
};
