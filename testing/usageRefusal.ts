import { UsageError } from "../grader/common/UsageError.js";

/** The message of the UsageError `run` rejects with; throws if it resolves or rejects otherwise. */
export async function usageRefusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("not refused");
}
