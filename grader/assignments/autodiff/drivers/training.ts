import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/training (run inside the sandboxed child; import only the kit). */
export const trainingDrivers: Record<string, Driver> = {};
