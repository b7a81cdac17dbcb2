/**
 * Messages between the grader (parent) and the sandboxed child. They travel as frames of
 * gradmark's own (see framing.ts) over a private pipe, never over Node's IPC channel, and the
 * parent validates each one (validate.ts) before using it. The child only ever reports what
 * student code returned or threw; all judging happens in the parent.
 */
import type { Wire } from "./wire.js";

/**
 * Parent -> child: run one driver over a batch of payloads (one per property run). The numbers
 * of the payloads' tensors travel packed in `floats` (see FloatPack).
 */
export interface RunRequest {
  type: "run";
  id: number;
  driver: string;
  payloads: unknown[];
  floats: Float64Array;
}

export type ParentMessage = RunRequest;

/** What one call of a driver came to. */
export type Outcome =
  /** `ms`: wall time of the call. */
  | { kind: "ok"; value: Wire; ms: number }
  /** Student code threw `new Error("not implemented")`. */
  | { kind: "not-implemented"; message: string }
  /** A module of the submission failed to load (threw at its top level). */
  | { kind: "load-error"; module: string; message: string }
  | { kind: "threw"; name: string; message: string; stack: string };

export type ChildMessage =
  | { type: "ready"; modules: string[] }
  /**
   * Sent just before "ready", before any student code has run: the names of the drivers the
   * assignment's drivers module exports (those that are functions), so that the parent can
   * refuse a check naming a driver there is none of before the submission runs at all.
   */
  | { type: "drivers"; names: string[] }
  /**
   * Sent instead of "drivers" (then "ready") when the drivers module, or a module it imports,
   * threw while the child loaded it: the assignment's fault, not the submission's (no student
   * module has loaded yet). The child then runs nothing.
   */
  | { type: "drivers-error"; name: string; message: string; stack: string }
  /** The numbers of the outcomes' tensors travel packed in `floats`. */
  | { type: "result"; id: number; outcomes: Outcome[]; floats: Float64Array };
