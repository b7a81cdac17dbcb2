// A staff mistake on purpose: a value import from "gradmark" in a drivers module. The drivers run
// inside the sandbox, where the grader itself cannot load (it needs the file system), so this
// module fails to load there, before any student code. (A type import would be fine.)
import { PASS } from "gradmark";
import type { Driver } from "../../../grader/sandbox/child/driver.js";

/** The toy's one driver, with a use of the value import so that it is bundled. */
export const drivers: Record<string, Driver> = {
  call(modules, payload) {
    const { module, name, args } = payload as { module: string; name: string; args: unknown[] };
    const fn = modules[module]![name] as (...args: unknown[]) => unknown;
    return PASS.pass ? { out: fn(...args), argsAfter: args } : null;
  },
};
