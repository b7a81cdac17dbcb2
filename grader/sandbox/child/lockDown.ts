/**
 * Run-time refusals inside the sandboxed child, applied after the runtime has saved what it
 * needs and before any student module loads. The walls are the OS namespaces and Node's
 * permission model; this removes what they leave reachable from JavaScript, so a submission
 * that tries gets an error naming what it reached for.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

/** Built-in modules a submission has no use for, each a way out or a way to change the runtime. */
export const REFUSED_MODULES = [
  "child_process",
  "cluster",
  "dgram",
  "dns",
  "dns/promises",
  "fs",
  "fs/promises",
  "inspector",
  "module",
  "net",
  "trace_events",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
] as const;

// http, http2, https, tls and repl are not loaded here: loading them costs every child more than
// the rest together (about 7 ms). Everything they do on the network goes through the socket
// classes, whose connect, listen, bind and send are refused below, and whatever they would reach
// is outside the child's network namespace anyway; repl evaluates text as code, which module code
// can do anyway.

/**
 * process functions that reach the operating system, the runtime's internals or the grader.
 * (process.report itself stays, Node reads it when an exception is not caught; its methods go.)
 */
const REFUSED_PROCESS_MEMBERS = [
  "_debugEnd",
  "_debugProcess",
  "_getActiveHandles",
  "_getActiveRequests",
  "_kill",
  "_linkedBinding",
  "_send",
  "_startProfilerIdleNotifier",
  "_stopProfilerIdleNotifier",
  "abort",
  "binding",
  "channel",
  "disconnect",
  "dlopen",
  "getBuiltinModule",
  "initgroups",
  "kill",
  "loadEnvFile",
  "send",
  "setegid",
  "seteuid",
  "setgid",
  "setgroups",
  "setuid",
  "umask",
] as const;

/** Globals that open connections. */
const REFUSED_GLOBALS = ["fetch", "WebSocket", "EventSource"] as const;

function refusal(what: string): Error {
  const error = new Error(
    `${what} is not available to a submission (gradmark's sandbox refuses it; a submission may use only 'gradmark/tensor' and its own files)`,
  );
  (error as { code?: string }).code = "ERR_ACCESS_DENIED";
  return error;
}

/** What every stand-in does when called, constructed or looked into: throw its own refusal. */
const refusing: ProxyHandler<() => never> = {
  apply: (target) => target(),
  construct: (target) => target(),
  get: (target, key) => (key === "prototype" ? target.prototype : target()),
};

/** A stand-in that throws when called, constructed or looked into (one handler for all). */
function refused(what: string): unknown {
  return new Proxy(function refusedByGradmark(): never {
    throw refusal(what);
  }, refusing);
}

export function lockDown(): void {
  // The runtime's own output streams are made now: Node builds process.stdout from `net` the
  // first time it is read, and `net` is about to be refused.
  void process.stdout;
  void process.stderr;
  const require = createRequire(import.meta.url);
  // The classes stay reachable without their modules (process.stdout.constructor is net's
  // Socket): what would open a connection or a port is refused on their prototypes.
  const net = require("node:net") as typeof import("node:net");
  const dgram = require("node:dgram") as typeof import("node:dgram");
  for (const [proto, name, members] of [
    [net.Socket.prototype, "net.Socket", ["connect"]],
    [net.Server.prototype, "net.Server", ["listen"]],
    [dgram.Socket.prototype, "dgram.Socket", ["bind", "connect", "send"]],
  ] as const) {
    for (const member of members) replace(proto, member, `${name}.${member}`);
  }
  // Every module is loaded before any is refused: refusing node:module takes require with it.
  const loaded: [string, Record<string, unknown>][] = [];
  for (const name of REFUSED_MODULES) {
    try {
      loaded.push([name, require(`node:${name}`) as Record<string, unknown>]);
    } catch {
      // Not in this Node version.
    }
  }
  for (const [name, exports] of loaded) {
    for (const key of Object.getOwnPropertyNames(exports)) {
      const value = exports[key];
      if (typeof value !== "function" && (typeof value !== "object" || value === null)) continue;
      replace(exports, key, `node:${name} (${key})`);
    }
  }
  // ESM imports of built-ins (`import { connect } from "node:net"`, dynamic import() too) read
  // these exports objects' members from now on.
  syncBuiltinESMExports();
  // Functions become stand-ins that throw when called; reading them stays harmless, since
  // Node's own code reads some of them (an uncaught exception consults process members, and
  // a getter that threw there would end the child with an internal error, exit 7).
  for (const name of REFUSED_PROCESS_MEMBERS) refuseFunction(process, name, `process.${name}`);
  for (const name of REFUSED_GLOBALS) refuseFunction(globalThis, name, name);
  // The report object stays (Node reads its flags); its methods tell what the child runs on.
  const report = (process as { report?: object }).report;
  if (report) {
    for (const name of ["getReport", "writeReport"])
      refuseFunction(report, name, `process.report.${name}`);
  }
}

function replace(target: object, key: string, what: string): void {
  try {
    Object.defineProperty(target, key, {
      value: refused(what),
      writable: false,
      configurable: false,
      enumerable: true,
    });
  } catch {
    // A member that cannot be replaced is left to the other walls.
  }
}

function refuseFunction(target: object, name: string, what: string): void {
  if (typeof (target as Record<string, unknown>)[name] !== "function" && !ALWAYS_REFUSED.has(name))
    return;
  replace(target, name, what);
}

/**
 * The IPC senders are absent (there is no channel); they are pinned to refusals all the same, so
 * that code which installs its own (a replaced process._send carried the runtime's messages
 * once) finds them taken.
 */
const ALWAYS_REFUSED = new Set(["send", "_send"]);
