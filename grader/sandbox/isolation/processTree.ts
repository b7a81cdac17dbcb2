import { readdirSync, readFileSync } from "node:fs";

/**
 * Resident memory of a process and all its descendants, in MiB, from /proc (Linux); null
 * elsewhere. A sandboxed child runs under wrapper processes (bubblewrap, unshare), so the
 * process the grader started is not the one that grows.
 */
export function treeResidentMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let total = 0;
  let seen = 0;
  const queue = [pid];
  while (queue.length > 0 && seen < 64) {
    const next = queue.shift()!;
    seen++;
    const rss = residentKb(next);
    if (rss === null) {
      if (next === pid) return null;
      continue;
    }
    total += rss;
    queue.push(...childrenOf(next));
  }
  return total / 1024;
}

/**
 * Every process under `pid` (children, theirs, ...), read from /proc before anything is killed;
 * empty where /proc has no children lists. At most `limit` of them.
 */
export function descendantsOf(pid: number, limit = 64): number[] {
  const found: number[] = [];
  const queue = childrenOf(pid);
  while (queue.length > 0 && found.length < limit) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...childrenOf(next));
  }
  return found;
}

function residentKb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(" ")
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Processes anywhere on the machine whose command line contains `text` (Linux's /proc; empty
 * elsewhere), this process left out.
 */
export function processesNaming(text: string): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(text)) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
