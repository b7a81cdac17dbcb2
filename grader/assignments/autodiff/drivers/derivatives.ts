import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/derivatives (run inside the sandboxed child; import only the kit). */
export const derivativesDrivers: Record<string, Driver> = {};
