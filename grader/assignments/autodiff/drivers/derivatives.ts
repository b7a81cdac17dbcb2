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
 * Calls `name(...args)` from src/derivatives with the payload's arguments (tensors, or plain
 * numbers for chainRuleExample) and returns the raw result and the arguments after the call.
 */
function callExport(name: string): Driver {
  return (modules, payload) => {
    const { args } = payload as { args: unknown[] };
    const out = exportedFunction(modules, "derivatives", name)(...args);
    return { out, inputsAfter: args };
  };
}

/** Drivers of problem checks on src/derivatives (run inside the sandboxed child; import only the kit). */
export const derivativesDrivers: Record<string, Driver> = {
  "derivatives.jacobianSquareProd": callExport("jacobianSquareProd"),
  "derivatives.jacobianMixed": callExport("jacobianMixed"),
  "derivatives.matmulDerivative": callExport("matmulDerivative"),
  "derivatives.softmaxRowJacobians": callExport("softmaxRowJacobians"),
  "derivatives.reuseDerivative": callExport("reuseDerivative"),
  "derivatives.chainRuleExample": callExport("chainRuleExample"),
};
