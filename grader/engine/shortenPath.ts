/**
 * The longest replay path printed (issue 14: shrinking through a few hundred steps gave paths of
 * 400 characters, which nobody types and which break in a terminal).
 *
 * fast-check's path is "run:step:step:...": the run that failed first, then, for every shrink
 * step that kept failing, which candidate it took. Every prefix of it is a path too, and replays
 * (with endOnFailure) the case that step reached, so when the full path is longer than this the
 * report keeps the most-shrunk case whose path still fits: the last failing case whose prefix is
 * at most this long. At worst that prefix is the run index alone ("7"), which replays the first
 * failing case without shrinking. The case printed is always the one its path replays.
 */
export const MAX_PATH_CHARS = 120;

/**
 * The most-shrunk failing case whose replay path has at most MAX_PATH_CHARS characters, with that
 * path, when the full path is longer; null when it is short enough already. Should the failures
 * seen not match the path's steps one for one, it falls back to the first failure of the batch,
 * replayed by its run index alone.
 */
export function shortenPath<T>(
  path: string | null,
  failing: readonly T[],
  firstFailure: ({ index: number } & T) | null,
): ({ path: string } & T) | null {
  if (path === null || path.length <= MAX_PATH_CHARS) return null;
  const segments = path.split(":");
  if (segments.length !== failing.length) {
    return firstFailure ? { ...firstFailure, path: String(firstFailure.index) } : null;
  }
  let k = 0;
  let length = segments[0]!.length;
  while (k + 1 < segments.length && length + 1 + segments[k + 1]!.length <= MAX_PATH_CHARS) {
    k++;
    length += 1 + segments[k]!.length;
  }
  return { ...failing[k]!, path: segments.slice(0, k + 1).join(":") };
}
