import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/einsum (run inside the sandboxed child; import only the kit). */
export const einsumDrivers: Record<string, Driver> = {};
