/**
 * Every driver of the autodiff assignment, bundled into the sandboxed child. Drivers import only
 * the kit and reference/forward; they call student code and return raw results, never verdicts.
 */
import { autogradDrivers } from "./drivers/autograd.js";
import { contractionsDrivers } from "./drivers/contractions.js";
import { derivativesDrivers } from "./drivers/derivatives.js";
import { einsumDrivers } from "./drivers/einsum.js";
import { layersDrivers } from "./drivers/layers.js";
import { trainingDrivers } from "./drivers/training.js";

export const drivers = {
  ...contractionsDrivers,
  ...derivativesDrivers,
  ...layersDrivers,
  ...autogradDrivers,
  ...einsumDrivers,
  ...trainingDrivers,
};
