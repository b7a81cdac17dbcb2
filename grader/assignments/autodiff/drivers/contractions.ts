import type { Driver } from "../../../sandbox/child/driver.js";

type Callable = (...args: unknown[]) => unknown;

/** The named function export of a submission module, or a clear error. */
function exportedFunction(
  modules: Record<string, Record<string, unknown>>,
  module: string,
  name: string,
): Callable {
  const value = modules[module]![name];
  if (typeof value !== "function") {
    const found = value === undefined ? "nothing by that name" : `a ${typeof value}`;
    throw new Error(`src/${module} must export a function ${name}, found ${found}`);
  }
  return value as Callable;
}

/**
 * Calls `name(...args)` from src/<module> with the payload's arguments and returns the raw result
 * and the arguments as they are after the call (for the immutability check).
 */
function callExport(module: string, name: string): Driver {
  return (modules, payload) => {
    const { args } = payload as { args: unknown[] };
    const out = exportedFunction(modules, module, name)(...args);
    return { out, inputsAfter: args };
  };
}

/** Drivers of problem checks on src/contractions (run inside the sandboxed child; import only the kit). */
export const contractionsDrivers: Record<string, Driver> = {
  "contractions.contract": callExport("contractions", "contract"),
  "contractions.batchedMatmul": callExport("contractions", "batchedMatmul"),
  "contractions.slideEinsum": callExport("contractions", "slideEinsum"),
};
