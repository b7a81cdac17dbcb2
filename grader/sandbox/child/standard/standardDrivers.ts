/**
 * The drivers gradmark ships, in every child beside the assignment's own: `gradmark.call` (the
 * checks of `functionChecks`) and `gradmark.layer` (those of `layerChecks`). Names starting with
 * "gradmark." are reserved for them.
 */
import type { Driver } from "../driver.js";
import { callDriver } from "./callDriver.js";
import { layerDriver } from "./layerDriver.js";

export const STANDARD_DRIVER_PREFIX = "gradmark.";

/** The drivers module of an assignment that names none, inside gradmark's package. */
export const NO_DRIVERS_MODULE = "grader/sandbox/child/standard/noDrivers.ts";

export const STANDARD_DRIVERS: Readonly<Record<string, Driver>> = {
  "gradmark.call": callDriver,
  "gradmark.layer": layerDriver,
};

/** An assignment's drivers with gradmark's beside them; gradmark's win by their reserved names. */
export function withStandardDrivers(own: Record<string, Driver>): Record<string, Driver> {
  return { ...own, ...STANDARD_DRIVERS };
}
