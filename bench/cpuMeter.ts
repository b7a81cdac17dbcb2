/**
 * CPU time of a process and everything it starts, sandboxed children included. Reaped-children
 * counters (getrusage, /proc's cutime) miss the sandbox's children: a child killed with its
 * wrapper is reaped by no one the grader waits for, so its CPU is never added up (measured: a
 * `grade` of the staff solution reads 1.0 s that way, 2.0 s in a cgroup). A cgroup counts
 * every process in it whoever reaps it, so this meter uses one where it can make one (cgroup v1
 * cpuacct or v2, as root), and says when it falls back to rusage, which undercounts.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** Where CPU time is read from, and whether it sees killed sandbox children. */
export interface CpuSource {
  kind: "cgroup v1" | "cgroup v2" | "rusage";
  /** False for rusage: the CPU of children reaped by no one the process waits for is missed. */
  complete: boolean;
}

interface CgroupRoot {
  kind: "cgroup v1" | "cgroup v2";
  dir: string;
  /** CPU seconds used so far by the processes of cgroup `dir`. */
  usage: (dir: string) => number;
}

/** The cgroup hierarchy that counts CPU, when this process may make groups in it. */
function cgroupRoot(): CgroupRoot | null {
  const v1 = "/sys/fs/cgroup/cpuacct";
  if (existsSync(join(v1, "cpuacct.usage"))) {
    return {
      kind: "cgroup v1",
      dir: v1,
      usage: (dir) => Number(readFileSync(join(dir, "cpuacct.usage"), "utf8")) / 1e9,
    };
  }
  const v2 = "/sys/fs/cgroup";
  if (existsSync(join(v2, "cgroup.controllers"))) {
    return {
      kind: "cgroup v2",
      dir: v2,
      usage: (dir) => {
        const line = readFileSync(join(dir, "cpu.stat"), "utf8")
          .split("\n")
          .find((l) => l.startsWith("usage_usec "));
        return Number(line?.split(" ")[1] ?? Number.NaN) / 1e6;
      },
    };
  }
  return null;
}

/** A fresh cgroup under the root, or null when it cannot be made (not root, read-only). */
function makeGroup(root: CgroupRoot, name: string): string | null {
  removeStaleGroups(root);
  const dir = join(root.dir, `${name}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir);
    root.usage(dir);
    return dir;
  } catch {
    try {
      rmdirSync(dir);
    } catch {}
    return null;
  }
}

let counter = 0;

/** CPU seconds (user + system) of one command and all it starts, its wall time, the source. */
export function commandCpu(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { cpuSeconds: number; wallMs: number; status: number | null; source: CpuSource } {
  const root = cgroupRoot();
  const group = root ? makeGroup(root, `gradmark-bench-${counter++}`) : null;
  const started = performance.now();
  if (root && group) {
    try {
      // The shell joins the group, then becomes the command: everything it starts is counted.
      const run = spawnSync(
        "/bin/sh",
        ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group, file, ...args],
        { cwd: options.cwd, env: options.env, stdio: "ignore" },
      );
      const wallMs = performance.now() - started;
      return {
        cpuSeconds: root.usage(group),
        wallMs,
        status: run.status,
        source: { kind: root.kind, complete: true },
      };
    } finally {
      removeGroup(group);
    }
  }
  const before = childrenSeconds();
  const run = spawnSync(file, args, { cwd: options.cwd, env: options.env, stdio: "ignore" });
  const wallMs = performance.now() - started;
  return {
    cpuSeconds: childrenSeconds() - before,
    wallMs,
    status: run.status,
    source: { kind: "rusage", complete: false },
  };
}

/** CPU seconds this process's reaped children used, from /proc (0 where there is none). */
function childrenSeconds(): number {
  if (!existsSync("/proc/self/stat")) return 0;
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime: fields 16 and 17 of the line (13 and 14 after the name).
  return (Number(fields[13]) + Number(fields[14])) / clockTicks();
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  ticksPerSecond ??=
    Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;
  return ticksPerSecond;
}

/**
 * A meter for this process and everything it starts from now on (a batch run in-process): it
 * moves this process into a fresh cgroup where it can, and `read()` gives the CPU seconds used
 * since. `close()` puts the process back.
 */
export function processCpuMeter(): { read: () => number; close: () => void; source: CpuSource } {
  const root = cgroupRoot();
  const group = root ? makeGroup(root, "gradmark-bench-self") : null;
  if (root && group) {
    try {
      writeFileSync(join(group, "cgroup.procs"), String(process.pid));
      const start = root.usage(group);
      return {
        read: () => root.usage(group) - start,
        close: () => {
          try {
            writeFileSync(join(root.dir, "cgroup.procs"), String(process.pid));
          } catch {}
          removeGroup(group);
        },
        source: { kind: root.kind, complete: true },
      };
    } catch {
      removeGroup(group);
    }
  }
  const own = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + childrenSeconds();
  };
  const start = own();
  return {
    read: () => own() - start,
    close: () => {},
    source: { kind: "rusage", complete: false },
  };
}

/**
 * Groups an earlier run left behind (its processes were still leaving when it tried): removed
 * once empty. Best effort; a group still in use is left alone, since rmdir refuses it.
 */
function removeStaleGroups(root: CgroupRoot): void {
  try {
    for (const name of readdirSync(root.dir)) {
      if (!name.startsWith("gradmark-bench-")) continue;
      try {
        rmdirSync(join(root.dir, name));
      } catch {}
    }
  } catch {}
}

/** Removes a group once its processes are gone (a killed child may take a moment to leave). */
function removeGroup(dir: string): void {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      spawnSync("sleep", ["0.02"]);
    }
  }
}
