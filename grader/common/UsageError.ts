/** A mistake in how gradmark was called (bad folder, unknown id, bad option): exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
