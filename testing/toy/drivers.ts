import type { Driver } from "../../grader/sandbox/child/driver.js";

/** Drivers of the toy assignment used by the grader's own tests. */
export const drivers: Record<string, Driver> = {
  call(modules, payload) {
    const { module, name, args } = payload as { module: string; name: string; args: unknown[] };
    const fn = modules[module]![name];
    if (typeof fn !== "function") throw new Error(`src/${module} has no function ${name}`);
    const out = fn(...args);
    return { out, argsAfter: args };
  },
};
