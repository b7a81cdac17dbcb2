/**
 * Messages between the grader (parent) and the sandboxed child, over Node's IPC channel with
 * structured-clone ("advanced") serialization. The child only ever reports what student code
 * returned or threw; all judging happens in the parent.
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
  /** The numbers of the outcomes' tensors travel packed in `floats`. */
  | { type: "result"; id: number; outcomes: Outcome[]; floats: Float64Array };

export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === "ready" || type === "result";
}

/**
 * Progress does not travel as IPC messages (one per run would cost a serialized message each
 * way) but on a pipe of its own, the child's file descriptor PROGRESS_FD: before each run the
 * child writes one record, the request id and the run's index as two native-endian uint32, so a
 * timeout or crash can be pinned on one run. The parent keeps only the latest record.
 */
export const PROGRESS_FD = 4;
export const PROGRESS_RECORD_BYTES = 8;
