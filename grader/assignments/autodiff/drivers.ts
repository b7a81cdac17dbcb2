/**
 * The autodiff assignment's own drivers, bundled into the sandboxed child beside gradmark's
 * (problems 1 and 2 and the single layers of problem 3 use those: gradmark.call, gradmark.layer).
 * Drivers import only the kit and reference/forward; they call student code and return raw
 * results, never verdicts.
 */
import { autogradDrivers } from "./drivers/autograd.js";
import { einsumDrivers } from "./drivers/einsum.js";
import { layersDrivers } from "./drivers/layers.js";
import { trainingDrivers } from "./drivers/training.js";

export const drivers = {
  ...layersDrivers,
  ...autogradDrivers,
  ...einsumDrivers,
  ...trainingDrivers,
};
