import type { Assignment, CheckDefinition } from "../authoring/types.js";
import type { AssignmentError } from "../common/AssignmentError.js";
import { FloatPack } from "../sandbox/protocol/FloatPack.js";
import type { BatchResult, PayloadBatch } from "../sandbox/Sandbox.js";
import { toWirePayload } from "../sandbox/wireValues.js";
import { checkSeed } from "./checkSeed.js";
import { driversFault } from "./driversFault.js";
import { type Judged, judgeOutcome } from "./judgeOutcome.js";
import { type NotRun, notRunVerdict } from "./notRunVerdict.js";
import type { CheckSandbox, RunCheckOptions } from "./runCheck.js";
import { staffCode } from "./staffCode.js";

/** How a batch ended when it could run: the assignment's own faults are thrown instead. */
export type RunBatch = Exclude<BatchResult, { kind: "drivers-error" | "unknown-driver" }>;

/** What runCheck's steps share about one check: its settings, and its calls to the child. */
export interface CheckCalls {
  /** The check's own seed (see checkSeed). */
  seed: number;
  /** Cases the property draws. */
  runs: number;
  /** Milliseconds left of the submission's time budget. */
  remaining: () => number;
  /** Cases sent to the child so far. */
  executed: () => number;
  /** The payloads of `cases`, ready for the child (what runCases sends). */
  payloadBatch: (cases: unknown[]) => PayloadBatch;
  /**
   * Sends `cases` to the child in one batch. Not async: the batch is queued before it returns,
   * so a caller that does not wait keeps the child busy.
   */
  runCases: (cases: unknown[]) => Promise<RunBatch>;
  /** The verdict on the case at `i` of `batch` (any case, for a batch that did not run). */
  judgeBatch: (testCase: unknown, batch: RunBatch, i: number) => Judged;
  /** The verdict on a batch that did not run to its end. */
  notRun: (batch: NotRun) => Judged;
  /** The case as reports print it. */
  show: (testCase: unknown) => string;
  /** The AssignmentError of what the check's arbitrary threw while `when`. */
  generationFault: (error: unknown, when: string) => AssignmentError;
}

/** The calls runCheck makes for `check`, in `sandbox`, with the staff code's faults charged. */
export function checkCalls(
  check: CheckDefinition,
  assignment: Assignment,
  sandbox: CheckSandbox,
  options: RunCheckOptions,
): CheckCalls {
  const seed = checkSeed(options.seed, check.id);
  const perCallMs = check.timeoutMs ?? assignment.defaults.timeoutMs;
  const tolerance = { ...assignment.defaults.tolerance, ...check.tolerance };
  const remaining = () => options.deadline - performance.now();
  const { staff, generationFault, show, judge } = staffCode(
    check,
    assignment,
    options.revealHidden,
  );
  let executed = 0;
  const notRun = (batch: NotRun) => notRunVerdict(batch, perCallMs, check.timeoutHint);
  const judgeBatch = (testCase: unknown, batch: RunBatch, i: number): Judged => {
    if (batch.kind !== "outcomes") return notRun(batch);
    return judgeOutcome(
      check,
      testCase,
      batch.outcomes[i]!,
      batch.floats,
      { seed, tolerance, wallMs: batch.wallMs },
      options.srcDir,
      options.mapStack,
      judge,
    );
  };
  const payloadBatch = (cases: unknown[]): PayloadBatch => {
    const pack = new FloatPack();
    const payloads = cases.map((c) =>
      staff("payload", () => toWirePayload(check.payload(c), pack)),
    );
    return { payloads, floats: pack.finish() };
  };
  const runCases = (cases: unknown[]): Promise<RunBatch> => {
    if (remaining() <= 0) return Promise.resolve({ kind: "budget", index: 0, wallMs: 0 });
    const batch = payloadBatch(cases);
    executed += cases.length;
    // The whole batch gets at most its runs' share of time, so a child that fakes progress
    // cannot keep one batch alive until the budget is gone; a batch still queued when the
    // budget runs out is not run.
    return sandbox
      .run(check.driver, batch, perCallMs, perCallMs * cases.length + 1000, options.deadline)
      .then((batch) => {
        if (batch.kind === "drivers-error" || batch.kind === "unknown-driver")
          throw driversFault(batch, check, assignment, sandbox.bundleFile, options.mapStack);
        return batch;
      });
  };
  return {
    seed,
    runs: check.runs ?? assignment.defaults.runs,
    remaining,
    executed: () => executed,
    payloadBatch,
    runCases,
    judgeBatch,
    notRun,
    show,
    generationFault,
  };
}
