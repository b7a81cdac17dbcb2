/**
 * A batch worker: a process of the grader's own (trusted), forked by the pool, that grades one
 * submission at a time with gradeSubmission, whose sandboxed children run the student code.
 * It leads its own process group, so the pool can stop it together with those children.
 */
import { realpathSync } from "node:fs";
import { dirname } from "node:path";
import { loadAssignment } from "../../assignments/loadAssignment.js";
import type { Assignment } from "../../authoring/types.js";
import { UsageError } from "../../common/UsageError.js";
import { gradeSubmission } from "../../engine/gradeSubmission.js";
import type { GradeResult } from "../../model/results.js";
import { relativeToClass, type ShownPath } from "../report/formatBatchSummary.js";
import { UnzipError, unzipSubmission } from "../store/unzipSubmission.js";
import type { GradeJob, ParentToWorker, WorkerToParent } from "./workerProtocol.js";

const assignments = new Map<string, Promise<Assignment>>();

function assignmentFor(file: string | null): Promise<Assignment> {
  const key = file ?? "";
  let loaded = assignments.get(key);
  if (!loaded) {
    loaded = loadAssignment(file ?? undefined);
    assignments.set(key, loaded);
  }
  return loaded;
}

async function grade(job: GradeJob): Promise<WorkerToParent> {
  const { folder } = job;
  // Looked up once, after a zip is unpacked (its folder may then resolve to another path).
  let paths: ShownPath[] | undefined;
  const relative = (text: string) => {
    paths ??= shownPaths(job);
    return relativeToClass(text, paths);
  };
  try {
    const dir = job.kind === "zip" ? unzipSubmission(job.path, job.unpackDir) : job.path;
    const assignment = await assignmentFor(job.assignmentFile);
    // One problem at a time: the pool's workers (-j) are what fills the cores in a batch.
    const result = await gradeSubmission({
      dir,
      assignment,
      seed: job.seed,
      mode: "grade",
      lanes: 1,
    });
    return { type: "graded", folder, result: withRelativeMessages(result, relative) };
  } catch (error) {
    const message = relative(error instanceof Error ? error.message : String(error));
    if (error instanceof UnzipError)
      return { type: "unusable", folder, message: `${folder}.zip: ${message}` };
    if (error instanceof UsageError) return { type: "unusable", folder, message };
    return { type: "failed", folder, message };
  }
}

/**
 * How messages name the submission's paths on this machine: relative to the class folder, a
 * zip's unpacked folder as the zip (`bob.zip/repo has no src/ folder`), so nothing printed,
 * stored or reported carries the TA's folders (and results do not depend on where a class is).
 */
function shownPaths(job: GradeJob): ShownPath[] {
  const submission = job.kind === "zip" ? `${job.folder}.zip` : job.folder;
  const paths: ShownPath[] = [
    { path: dirname(job.path), as: "" },
    { path: job.path, as: submission },
    ...(job.kind === "zip" ? [{ path: job.unpackDir, as: submission }] : []),
  ];
  // Through a symbolic link (a temporary folder on macOS) a path may also appear resolved.
  for (const { path, as } of [...paths]) {
    try {
      const real = realpathSync(path);
      if (real !== path) paths.push({ path: real, as });
    } catch {
      // Gone or never made (a zip not unpacked yet): nothing else to look for.
    }
  }
  return paths;
}

/** The result with its checks' messages and counterexamples passed through `relative`. */
function withRelativeMessages(
  result: GradeResult,
  relative: (text: string) => string,
): GradeResult {
  return {
    ...result,
    problems: result.problems.map((problem) => ({
      ...problem,
      checks: problem.checks.map((check) => ({
        ...check,
        message: relative(check.message),
        counterexample: check.counterexample === null ? null : relative(check.counterexample),
      })),
    })),
  };
}

function send(message: WorkerToParent): void {
  process.send?.(message);
}

// The pool went away (Ctrl-C, kill -9): stop this worker and the sandboxes it started.
process.on("disconnect", () => {
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    process.exit(1);
  }
});

let grading = 0;
process.on("message", (message: ParentToWorker) => {
  // Exiting on its own, the worker waits for its children, so their CPU time is accounted for
  // and nothing is left behind; the pool kills whatever does not stop soon enough.
  if (message?.type === "stop" && grading === 0) process.exit(0);
  if (message?.type !== "grade") return;
  grading++;
  void grade(message.job)
    .then(send)
    .finally(() => grading--);
});

send({ type: "ready" });
