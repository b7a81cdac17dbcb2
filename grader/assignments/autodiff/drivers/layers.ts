import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/layers (run inside the sandboxed child; import only the kit). */
export const layersDrivers: Record<string, Driver> = {};
