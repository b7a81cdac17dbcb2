import { defineAssignment } from "../../authoring/defineAssignment.js";
import { packagePath } from "../../common/packagePath.js";
import { autogradProblem } from "./problems/autograd.js";
import { contractionsProblem } from "./problems/contractions.js";
import { derivativesProblem } from "./problems/derivatives.js";
import { einsumProblem } from "./problems/einsum.js";
import { layersProblem } from "./problems/layers.js";
import { trainingProblem } from "./problems/training.js";

/** The default assignment (HOMEWORK.md), written with the same public API staff use. */
export const autodiff = defineAssignment({
  id: "autodiff",
  title: "Automatic differentiation",
  seed: 20261126,
  modules: ["contractions", "derivatives", "layers", "autograd", "einsum", "training"],
  drivers: packagePath("grader/assignments/autodiff/drivers.ts"),
  defaults: { runs: 25, timeoutMs: 2000 },
  problems: [
    contractionsProblem,
    derivativesProblem,
    layersProblem,
    autogradProblem,
    einsumProblem,
    trainingProblem,
  ],
});
