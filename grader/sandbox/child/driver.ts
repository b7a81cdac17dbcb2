/**
 * A driver runs one case of a check against the submission, inside the child: it gets the
 * submission's modules by name (each loaded on first use) and the case's payload (kit Tensors
 * revived), calls student code, and returns the raw results (Tensors, numbers, plain objects).
 * It never judges: comparing is the parent's job.
 */
export type Driver = (
  modules: Record<string, Record<string, unknown>>,
  payload: unknown,
) => unknown;
