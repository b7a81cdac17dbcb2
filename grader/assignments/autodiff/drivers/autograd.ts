import type { Driver } from "../../../sandbox/child/driver.js";

/** Drivers of problem checks on src/autograd (run inside the sandboxed child; import only the kit). */
export const autogradDrivers: Record<string, Driver> = {};
