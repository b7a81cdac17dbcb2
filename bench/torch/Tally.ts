/**
 * The counts bench row 7 keeps per case and tool, on both sides (the Python script prints the
 * same shape of object for its tools).
 */

/** gradmark's two modes, torch's gradcheck in both modes, the PA1-style numpy check. */
export type ToolName = "gradmarkDefault" | "gradmarkFull" | "torchFast" | "torchSlow" | "pa1";

/**
 * The correct gradient (speed), three planted bugs (detection) and a correct gradient with
 * one entry of X W within 1e-7 of ReLU's kink (false failures).
 */
export type CaseName = "correct" | "element1e-3" | "element1e-4" | "leaky" | "nearKink";

/** What the calls of one tool on one case came to. */
export interface Tally {
  calls: number;
  /** Calls that failed (gradmark: status "failed"; torch: False; PA1: over its threshold). */
  failed: number;
  /** gradmark's status "inconclusive" (0 for the other tools). */
  inconclusive: number;
  /** Calls that threw instead of answering (counted as failed too). */
  errors: number;
  /** Mean evaluations of f per call. */
  evaluations: number;
  /** Mean milliseconds per call. */
  ms: number;
}

export type Tallies = Partial<Record<CaseName, Partial<Record<ToolName, Tally>>>>;

/** Sums as calls are recorded; {@link meanTally} turns them into the means of a Tally. */
export function emptyTally(): Tally {
  return { calls: 0, failed: 0, inconclusive: 0, errors: 0, evaluations: 0, ms: 0 };
}

/** Evaluations and milliseconds from sums to means per call. */
export function meanTally(sums: Tally): Tally {
  const calls = Math.max(sums.calls, 1);
  return { ...sums, evaluations: sums.evaluations / calls, ms: sums.ms / calls };
}
