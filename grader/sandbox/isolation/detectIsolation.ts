import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
import type { SandboxReport } from "../../model/SandboxReport.js";

/** How a child is started: the program to run and its arguments (the node command at the end). */
export interface LaunchCommand {
  file: string;
  args: string[];
}

/** The OS walls available on this machine, and how to start a child inside them. */
export interface Isolation {
  /** What protects children whose bundle is in `bundleDir` (see SandboxReport). */
  report(bundleDir: string): SandboxReport;
  /** The command that runs `node nodeArgs...` inside the walls, with `bundleDir` readable. */
  command(node: string, nodeArgs: readonly string[], bundleDir: string): LaunchCommand;
}

export type IsolationTool = SandboxReport["tool"];

/** The user the child runs as when the grader is root: nobody. */
const NOBODY = 65534;

const FIX_NAMESPACES =
  "install bubblewrap (apt-get install bubblewrap) or util-linux, and allow namespaces (a container needs --privileged or a seccomp profile that permits unshare)";

let cached: { key: string; isolation: Isolation } | null = null;
let pending: { key: string; isolation: Promise<Isolation> } | null = null;

const TOOLS = ["bubblewrap", "util-linux", "none"] as const;

/**
 * Finds, once per process, the strongest OS isolation that works here: bubblewrap where `bwrap`
 * starts a child in new namespaces, else util-linux's `unshare` and `setpriv`, else none (Node's
 * permission model alone). GRADMARK_SANDBOX_TOOL (bubblewrap, util-linux or none) picks one; a
 * tool that was asked for and does not work is an error.
 */
export function detectIsolation(env: NodeJS.ProcessEnv = process.env): Isolation {
  const key = cacheKey(env);
  if (cached?.key === key) return cached.isolation;
  const failures: string[] = [];
  for (const tool of candidates(env)) {
    const candidate = build(tool, env);
    const failure = typeof candidate === "string" ? candidate : probe(candidate);
    if (failure === null) return remember(key, candidate as Isolation);
    failures.push(`${tool}: ${failure}`);
  }
  throw noTool(env, failures);
}

/**
 * The same without blocking: the probe runs while the caller does other work (bundling), and
 * detectIsolation answers from it afterwards.
 */
export function prepareIsolation(env: NodeJS.ProcessEnv = process.env): Promise<Isolation> {
  const key = cacheKey(env);
  if (cached?.key === key) return Promise.resolve(cached.isolation);
  if (pending?.key === key) return pending.isolation;
  const isolation = (async () => {
    const failures: string[] = [];
    for (const tool of candidates(env)) {
      const candidate = build(tool, env);
      const failure = typeof candidate === "string" ? candidate : await probeAsync(candidate);
      if (failure === null) return remember(key, candidate as Isolation);
      failures.push(`${tool}: ${failure}`);
    }
    throw noTool(env, failures);
  })();
  pending = { key, isolation };
  isolation.catch(() => {});
  return isolation;
}

function cacheKey(env: NodeJS.ProcessEnv): string {
  return `${wantedTool(env)}|${env.PATH ?? ""}`;
}

function wantedTool(env: NodeJS.ProcessEnv): string {
  return (env.GRADMARK_SANDBOX_TOOL ?? "").trim() || "auto";
}

function candidates(env: NodeJS.ProcessEnv): readonly IsolationTool[] {
  const wanted = wantedTool(env);
  if (wanted === "auto") return TOOLS;
  if ((TOOLS as readonly string[]).includes(wanted)) return [wanted as IsolationTool];
  throw new Error(
    `GRADMARK_SANDBOX_TOOL must be bubblewrap, util-linux or none, got ${JSON.stringify(wanted)}`,
  );
}

function remember(key: string, isolation: Isolation): Isolation {
  cached = { key, isolation };
  return isolation;
}

function noTool(env: NodeJS.ProcessEnv, failures: string[]): Error {
  return new Error(
    `GRADMARK_SANDBOX_TOOL=${wantedTool(env)} does not work here (${failures.join("; ")})`,
  );
}

function build(tool: IsolationTool, env: NodeJS.ProcessEnv): Isolation | string {
  const linux = process.platform === "linux";
  const root = process.getuid?.() === 0;
  const setpriv = linux ? which("setpriv", env) : null;
  if (tool === "none") return noneIsolation(linux, setpriv);
  if (!linux) return "namespaces exist on Linux only";
  if (!setpriv) return "setpriv (util-linux) was not found";
  if (tool === "bubblewrap") {
    const bwrap = which("bwrap", env);
    if (!bwrap) return "bwrap was not found";
    const unshare = root ? which("unshare", env) : null;
    if (root && !unshare) return "unshare (util-linux) was not found";
    return bubblewrapIsolation(bwrap, setpriv, unshare, root);
  }
  const unshare = which("unshare", env);
  if (!unshare) return "unshare (util-linux) was not found";
  return utilLinuxIsolation(unshare, setpriv, root);
}

/** Starts `node --version` inside the walls: null when it works, else why not. */
function probe(isolation: Isolation): string | null {
  if (isolation.report("/").tool === "none") return null;
  const { file, args } = probeCommand(isolation);
  const run = spawnSync(file, args, { env: {}, stdio: ["ignore", "pipe", "pipe"], timeout: 5000 });
  if (run.error) return run.error.message;
  return probeVerdict(run.status, run.signal, run.stdout.toString(), run.stderr.toString());
}

function probeAsync(isolation: Isolation): Promise<string | null> {
  if (isolation.report("/").tool === "none") return Promise.resolve(null);
  const { file, args } = probeCommand(isolation);
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: {}, stdio: ["ignore", "pipe", "pipe"], timeout: 5000 });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", (error) => resolve(error.message));
    child.on("close", (status, signal) => resolve(probeVerdict(status, signal, out, err)));
  });
}

function probeCommand(isolation: Isolation): LaunchCommand {
  return isolation.command(process.execPath, ["--version"], realpathSync(tmpdir()));
}

function probeVerdict(
  status: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
): string | null {
  if (status === 0 && stdout.trim() === process.version) return null;
  const said = stderr.trim().split("\n")[0] ?? "";
  return `the probe exited with ${status ?? signal}${said ? `: ${said}` : ""}`;
}

/**
 * bubblewrap: new PID, IPC, UTS (and cgroup) namespaces, a read-only view of /usr, the node
 * binary and the bundle's folder, killed with its parent. No new session (setsid): on Linux it
 * would also start a scheduling group of its own, which takes CPU from the grader; the child has
 * no terminal to inject into (stdin is closed, stdout and stderr are pipes, /dev/tty cannot be
 * opened under the permission model). As root the child then
 * enters a network namespace whose loopback stays down (unshare) and drops to nobody with no new
 * privileges and no capabilities (setpriv); unprivileged, bubblewrap's own user and network
 * namespaces do that (its loopback is up, but reaches nothing outside the namespace).
 */
function bubblewrapIsolation(
  bwrap: string,
  setpriv: string,
  unshare: string | null,
  root: boolean,
): Isolation {
  const report: SandboxReport = {
    tool: "bubblewrap",
    permissionModel: true,
    networkNamespace: true,
    pidNamespace: true,
    readOnlyView: true,
    unprivilegedUser: true,
    noNewPrivileges: true,
    dieWithParent: true,
    missing: [],
  };
  return {
    report: () => ({ ...report, missing: [] }),
    command(node, nodeArgs, bundleDir) {
      const args = [
        ...(root ? [] : ["--unshare-user", "--unshare-net"]),
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        ...systemView(),
        ...readOnlyFile(realpathSync(node)),
        ...readOnlyFolder(bundleDir),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--chdir",
        bundleDir,
        "--",
      ];
      const drop = root
        ? [unshare!, "--net", "--", setpriv, ...dropToNobody(), "--"]
        : [setpriv, "--no-new-privs", "--"];
      return { file: bwrap, args: [...args, ...drop, node, ...nodeArgs] };
    },
  };
}

/**
 * util-linux alone: new network (loopback down), PID, IPC and UTS namespaces with a private
 * /proc, killed with the grader (setpriv's parent-death signal, unshare's kill-child), the child
 * as nobody with no new privileges (as root), or in a user namespace (unprivileged). No
 * read-only view: the permission model is the file system's only wall. /bin/sh stays PID 1 of
 * the namespace, so the node process is not an init (which ignores default signals: a V8 abort
 * would turn into a segmentation fault), and exits with 128 + the signal that ended node.
 */
function utilLinuxIsolation(unshare: string, setpriv: string, root: boolean): Isolation {
  const nobodyCan = (dir: string) => root && reachableByOthers(dir);
  return {
    report(bundleDir) {
      const unprivileged = !root || nobodyCan(bundleDir);
      return {
        tool: "util-linux",
        permissionModel: true,
        networkNamespace: true,
        pidNamespace: true,
        readOnlyView: false,
        unprivilegedUser: unprivileged,
        noNewPrivileges: true,
        dieWithParent: true,
        missing: [
          "read-only file system view (install bubblewrap: apt-get install bubblewrap)",
          ...(unprivileged
            ? []
            : [
                "unprivileged user (the bundle's folder is not open to other users; grade from a folder under /tmp, or install bubblewrap)",
              ]),
        ],
      };
    },
    command(node, nodeArgs, bundleDir) {
      const user = root
        ? nobodyCan(bundleDir)
          ? dropToNobody()
          : ["--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        : ["--no-new-privs"];
      return {
        file: setpriv,
        args: [
          "--pdeathsig=SIGKILL",
          "--",
          unshare,
          ...(root ? [] : ["--user", "--map-root-user"]),
          "--net",
          "--pid",
          "--ipc",
          "--uts",
          "--mount-proc",
          "--fork",
          "--kill-child=SIGKILL",
          "--",
          setpriv,
          ...user,
          "--",
          "/bin/sh",
          "-c",
          '"$0" "$@"; exit $?',
          node,
          ...nodeArgs,
        ],
      };
    },
  };
}

/** No OS walls: Node's permission model only; on Linux, setpriv still ties the child's life to the grader's. */
function noneIsolation(linux: boolean, setpriv: string | null): Isolation {
  const missing = [
    `network namespace (${linux ? FIX_NAMESPACES : "Linux only"})`,
    `PID namespace (${linux ? FIX_NAMESPACES : "Linux only"})`,
    "read-only file system view (bubblewrap, Linux only)",
  ];
  if (!(linux && process.getuid?.() !== 0))
    missing.push("unprivileged user (the grader runs as root)");
  if (!setpriv) missing.push("death with the grader (setpriv, from util-linux, Linux only)");
  const report: SandboxReport = {
    tool: "none",
    permissionModel: true,
    networkNamespace: false,
    pidNamespace: false,
    readOnlyView: false,
    unprivilegedUser: process.getuid?.() !== 0,
    noNewPrivileges: setpriv !== null,
    dieWithParent: setpriv !== null,
    missing,
  };
  return {
    report: () => ({ ...report, missing: [...missing] }),
    command(node, nodeArgs) {
      if (!setpriv) return { file: node, args: [...nodeArgs] };
      return {
        file: setpriv,
        args: ["--pdeathsig=SIGKILL", "--no-new-privs", "--", node, ...nodeArgs],
      };
    },
  };
}

function dropToNobody(): string[] {
  return [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
  ];
}

/** /usr read-only, with /bin, /lib... as the links or folders they are on this machine. */
function systemView(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    try {
      const stat = lstatSync(top);
      if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(top), top);
      else if (stat.isDirectory()) args.push("--ro-bind", top, top);
    } catch {
      // Not on this machine.
    }
  }
  return args;
}

/** A file outside /usr (a node from a version manager), with its folders made to hold it. */
function readOnlyFile(file: string): string[] {
  if (file.startsWith(`/usr${sep}`)) return [];
  return [...ancestors(dirname(file)), "--ro-bind", file, file];
}

function readOnlyFolder(dir: string): string[] {
  return [...ancestors(dirname(dir)), "--ro-bind", dir, dir];
}

/** bubblewrap makes missing parents private (0700); nobody must be able to pass through them. */
function ancestors(dir: string): string[] {
  const parts = dir.split(sep).filter((p) => p !== "");
  const args: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const path = sep + parts.slice(0, i).join(sep);
    if (path === "/usr" || path.startsWith(`/usr${sep}`)) return [];
    args.push("--perms", "0755", "--dir", path);
  }
  return args;
}

/** Whether a user other than the owner can pass through every folder down to `dir`. */
function reachableByOthers(dir: string): boolean {
  let path = dir;
  for (;;) {
    try {
      if ((statSync(path).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(path);
    if (parent === path) return true;
    path = parent;
  }
}

/** An executable on PATH (or in the usual system folders), or null. */
function which(name: string, env: NodeJS.ProcessEnv): string | null {
  const dirs = [...(env.PATH ?? "").split(delimiter), "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Forgets what was found (tests that change GRADMARK_SANDBOX_TOOL or PATH). */
export function resetIsolationCache(): void {
  cached = null;
  pending = null;
}
