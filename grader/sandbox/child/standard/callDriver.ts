/**
 * The driver of `functionChecks`: calls a function the submission exports with the payload's
 * arguments and returns the raw result and the arguments as they are after the call (for the
 * immutability check). With `backward` it also calls the submission's backward function
 * (`backward(...args, downstream)`) and, with `probes`, the function again at each probe point.
 */
import type { Driver } from "../driver.js";

/** One run of a function check. */
export interface CallPayload {
  /** The src/ module and the function it exports. */
  module: string;
  name: string;
  args: unknown[];
  /** The submission's backward function and the downstream gradient it gets after the args. */
  backward?: { name: string; downstream: unknown };
  /** Argument lists at which to call the function again (finite differences of its own values). */
  probes?: unknown[][];
}

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

export const callDriver: Driver = (modules, payload) => {
  const { module, name, args, backward, probes } = payload as CallPayload;
  const f = exportedFunction(modules, module, name);
  const out = f(...args);
  if (!backward) return { out, inputsAfter: args };
  const grads = exportedFunction(modules, module, backward.name)(...args, backward.downstream);
  return {
    out,
    grads,
    inputsAfter: args,
    downstreamAfter: backward.downstream,
    probeOutputs: (probes ?? []).map((at) => f(...at)),
  };
};
