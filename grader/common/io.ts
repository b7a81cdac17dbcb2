/** Where a command writes and what it knows about its surroundings; tests pass a fake. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colours are off otherwise). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Folder that relative paths are resolved against. */
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Colours for a stream: FORCE_COLOR forces them on (or off with FORCE_COLOR=0 or false, as in
 * Node), then NO_COLOR (any non-empty value, as no-color.org says) turns them off, and otherwise
 * they are on exactly when the stream is a terminal.
 */
export function decideColor(env: CliIO["env"], isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY;
}
