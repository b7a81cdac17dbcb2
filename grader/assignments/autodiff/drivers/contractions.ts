import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/contractions (run inside the sandboxed child; import only the kit). */
export const contractionsDrivers: Record<string, Driver> = {};
