import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defineAssignment } from "../authoring/defineAssignment.js";
import { PASS } from "../authoring/judge.js";
import { packagePath } from "../common/packagePath.js";
import { gradeSubmission } from "../engine/gradeSubmission.js";
import {
  detectIsolation,
  type IsolationTool,
  resetIsolationCache,
} from "./isolation/detectIsolation.js";
import { Sandbox } from "./Sandbox.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "gradmark-containment-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.GRADMARK_SANDBOX_TOOL;
  resetIsolationCache();
});

/** The OS tools that start a child on this machine ("none" always does). */
function workingTools(): IsolationTool[] {
  const tools: IsolationTool[] = [];
  for (const tool of ["bubblewrap", "util-linux", "none"] as const) {
    process.env.GRADMARK_SANDBOX_TOOL = tool;
    resetIsolationCache();
    try {
      detectIsolation();
      tools.push(tool);
    } catch {
      // Not here.
    }
  }
  delete process.env.GRADMARK_SANDBOX_TOOL;
  resetIsolationCache();
  return tools;
}
const tools = workingTools();
const namespaceTools = tools.filter((t) => t !== "none");

/** Loopback listeners the submission is pointed at; nothing may ever arrive. */
interface Listeners {
  tcpPort: number;
  udpPort: number;
  unixPath: string;
  arrivals: string[];
  close: () => Promise<void>;
}

async function listen(): Promise<Listeners> {
  const arrivals: string[] = [];
  const tcp: Server = createServer((socket) => {
    arrivals.push("tcp connection");
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const udp = createSocket("udp4");
  udp.on("message", () => arrivals.push("udp datagram"));
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  const unixPath = join(mkdtempSync(join(root, "unix-")), "listener.sock");
  const unix: Server = createServer((socket) => {
    arrivals.push("unix connection");
    socket.destroy();
  });
  await new Promise<void>((resolve) => unix.listen(unixPath, resolve));
  const address = tcp.address();
  return {
    tcpPort: typeof address === "object" && address ? address.port : 0,
    udpPort: udp.address().port,
    unixPath,
    arrivals,
    close: async () => {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => unix.close(() => resolve()));
      udp.close();
    },
  };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(namespaceTools.length > 0)(
  "the OS wall alone (a bare node, no run-time refusals)",
  () => {
    let listeners: Listeners;
    beforeAll(async () => {
      listeners = await listen();
    });
    afterAll(() => listeners.close());

    it.each(namespaceTools)(
      "with %s, reaches no loopback listener by TCP or UDP",
      async (tool) => {
        process.env.GRADMARK_SANDBOX_TOOL = tool;
        resetIsolationCache();
        const isolation = detectIsolation();
        const script = `
      const net = require("node:net"); const dgram = require("node:dgram");
      const said = [];
      const tcp = net.connect(${listeners.tcpPort}, "127.0.0.1");
      tcp.on("connect", () => said.push("tcp connected"));
      tcp.on("error", (e) => said.push("tcp " + e.code));
      const unix = net.connect(${JSON.stringify(listeners.unixPath)});
      unix.on("connect", () => said.push("unix connected"));
      unix.on("error", (e) => said.push("unix " + e.code));
      const udp = dgram.createSocket("udp4");
      udp.send("inputs", ${listeners.udpPort}, "127.0.0.1", (e) => said.push("udp " + (e ? e.code : "sent")));
      setTimeout(() => { console.log(JSON.stringify(said)); process.exit(0); }, 500);
    `;
        // The child's folder is a sibling of the listener's: as a grading's bundle folder is,
        // it holds nothing but what the child runs (the listener's folder is not in the view,
        // and a child running as the same user as the test could reach it otherwise).
        const bundleDir = mkdtempSync(join(root, `bundle-${tool}-`));
        const { file, args } = isolation.command(process.execPath, ["-e", script], bundleDir);
        const child = spawn(file, args, { env: {}, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        await new Promise((resolve) => child.on("close", resolve));
        await settle(200);
        const said = JSON.parse(out.trim()) as string[];
        expect(said).not.toContain("tcp connected");
        expect(said.some((s) => s.startsWith("tcp E"))).toBe(true);
        // A path-bound UNIX socket is outside network namespaces: bubblewrap's view hides it.
        if (tool === "bubblewrap") expect(said).not.toContain("unix connected");
        expect(
          listeners.arrivals.filter((a) => a !== "unix connection" || tool === "bubblewrap"),
        ).toEqual([]);
      },
      30_000,
    );
  },
);

describe("a submission reaching for the network", () => {
  let listeners: Listeners;
  beforeAll(async () => {
    listeners = await listen();
  });
  afterAll(() => listeners.close());

  const assignment = defineAssignment({
    id: "network",
    title: "Network",
    seed: 1,
    modules: ["ops"],
    drivers: packagePath("testing/toy/drivers.ts"),
    defaults: { runs: 3, timeoutMs: 5000, budgetMs: 60_000 },
    problems: [
      {
        id: "1",
        title: "One",
        module: "ops",
        checks: ["first", "second", "third"].map((name) => ({
          id: `1.${name}`,
          title: `reaches out (${name} time)`,
          points: 1,
          cases: fc.constant(null),
          driver: "call",
          payload: () => ({ module: "ops", name: "reach", args: [] }),
          judge: () => PASS,
        })),
      },
    ],
  });

  it.each(tools)(
    "with %s, gets a refusal that names the module and sends nothing",
    async (tool) => {
      process.env.GRADMARK_SANDBOX_TOOL = tool;
      resetIsolationCache();
      const dir = mkdtempSync(join(root, `net-${tool}-`));
      mkdirSync(join(dir, "src"));
      const { tcpPort, udpPort, unixPath } = listeners;
      // Synchronous attempts first (a connect() syscall happens at once), then modules from
      // imports the bundler cannot see, used on later calls once they have loaded.
      writeFileSync(
        join(dir, "src", "ops.ts"),
        `
      const refusals: string[] = [];
      const mods: Record<string, any> = {};
      for (const name of ["net", "dgram", "http", "dns"]) {
        import(["node", name].join(":")).then((m) => { mods[name] = m; }, (e) => refusals.push(String(e)));
      }
      const tryIt = (f: () => unknown) => { try { f(); } catch (e) { refusals.push((e as Error).message); } };
      export function reach() {
        refusals.length = 0;
        const Socket = (process.stdout as any).constructor;
        tryIt(() => new Socket().connect(${tcpPort}, "127.0.0.1"));
        tryIt(() => new Socket().connect(${JSON.stringify(unixPath)}));
        tryIt(() => fetch("http://127.0.0.1:${tcpPort}/"));
        if (mods.net) tryIt(() => mods.net.connect(${tcpPort}, "127.0.0.1"));
        if (mods.dgram) tryIt(() => mods.dgram.createSocket("udp4").send("x", ${udpPort}, "127.0.0.1"));
        if (mods.http) tryIt(() => mods.http.get("http://127.0.0.1:${tcpPort}/"));
        throw new Error(refusals.join(" | "));
      }
      `,
      );
      const result = await gradeSubmission({ dir, assignment });
      await settle(300);
      expect(listeners.arrivals).toEqual([]);
      const checks = result.problems[0]!.checks;
      expect(checks.map((c) => c.status)).toEqual(["error", "error", "error"]);
      expect(checks[0]!.message).toMatch(/net\.Socket\.connect is not available to a submission/);
      expect(checks[0]!.message).toMatch(/fetch is not available to a submission/);
      expect(checks.map((c) => c.message).join("\n")).toMatch(
        /node:net \(connect\) is not available/,
      );
      expect(result.sandbox?.tool).toBe(tool);
      expect(result.sandbox?.networkNamespace).toBe(tool !== "none");
    },
    60_000,
  );
});

/** A child of our own making (not a submission) that answers every request with `reply`. */
function evilBundle(name: string, reply: string): string {
  const dir = mkdtempSync(join(root, `evil-${name}-`));
  const file = join(dir, "evil.mjs");
  writeFileSync(
    file,
    `
    import { writeSync } from "node:fs";
    import { Socket } from "node:net";
    import { serialize, deserialize } from "node:v8";
    const frame = (m) => { const b = serialize(m); const h = Buffer.alloc(4); h.writeUInt32LE(b.length); return Buffer.concat([h, b]); };
    writeSync(3, frame({ type: "ready", modules: [] }));
    const channel = new Socket({ fd: 3, readable: true, writable: false });
    let got = Buffer.alloc(0);
    channel.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 4 || got.length < 4 + got.readUInt32LE(0)) return;
      const request = deserialize(got.subarray(4, 4 + got.readUInt32LE(0)));
      got = Buffer.alloc(0);
      const id = request.id;
      ${reply}
    });
    `,
  );
  return file;
}

const batch = { payloads: [null, null], floats: new Float64Array(0) };

describe("a child that breaks the wire", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a frame length over the cap",
      "writeSync(3, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));",
      /a frame of 4294967295 bytes, over the limit/,
    ],
    [
      "a body that does not decode",
      "writeSync(3, Buffer.from([5, 0, 0, 0, 0xff, 0x0f, 0x99, 0x42, 0x00]));",
      /a frame that does not decode/,
    ],
    [
      "a message of another type",
      'writeSync(3, frame({ type: "NODE_HANDLE_ACK", id }));',
      /a message of unknown type "NODE_HANDLE_ACK"/,
    ],
    [
      "a result holding a Map",
      'writeSync(3, frame({ type: "result", id, outcomes: [{ kind: "ok", value: new Map(), ms: 1 }, { kind: "ok", value: 1, ms: 1 }], floats: new Float64Array(0) }));',
      /outcome 0 holds a value that is not data/,
    ],
    [
      "a small frame naming one big array many times",
      'const big = new Array(10000).fill(1); writeSync(3, frame({ type: "result", id, outcomes: [{ kind: "ok", value: new Array(1000).fill(big), ms: 1 }, { kind: "ok", value: 1, ms: 1 }], floats: new Float64Array(0) }));',
      /holds too many values/,
    ],
    [
      "a cycle",
      'const a = []; a.push(a); writeSync(3, frame({ type: "result", id, outcomes: [{ kind: "ok", value: a, ms: 1 }, { kind: "ok", value: 1, ms: 1 }], floats: new Float64Array(0) }));',
      /nested too deeply/,
    ],
    [
      "too few outcomes",
      'writeSync(3, frame({ type: "result", id, outcomes: [{ kind: "ok", value: 1, ms: 1 }], floats: new Float64Array(0) }));',
      /1 outcomes for 2 runs/,
    ],
  ];

  it.each(cases)(
    "costs the running batch, never the grader: %s",
    async (name, reply, detail) => {
      const sandbox = new Sandbox(evilBundle(name.replaceAll(" ", "-"), reply));
      try {
        const first = await sandbox.run("any", batch, 5000);
        expect(first.kind).toBe("crashed");
        expect(first.kind === "crashed" && first.detail).toMatch(detail);
        // A fresh child takes the next batch; it breaks the wire the same way, and is handled alike.
        const second = await sandbox.run("any", batch, 5000);
        expect(second.kind).toBe("crashed");
      } finally {
        await sandbox.close();
      }
    },
    30_000,
  );

  it("a well-formed answer still goes through the same reader", async () => {
    const sandbox = new Sandbox(
      evilBundle(
        "honest",
        'writeSync(3, frame({ type: "result", id, outcomes: [{ kind: "ok", value: 1, ms: 1 }, { kind: "not-implemented", message: "not implemented" }], floats: new Float64Array(0) }));',
      ),
    );
    try {
      const result = await sandbox.run("any", batch, 5000);
      expect(result.kind).toBe("outcomes");
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});

/** Processes whose command line or environment mentions `marker`, other than this test's own. */
function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    for (const file of ["cmdline", "environ"]) {
      try {
        if (readFileSync(`/proc/${entry}/${file}`, "utf8").includes(marker)) {
          found.push(Number(entry));
          break;
        }
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
  }
  return found;
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await settle(50))
    if (condition()) return true;
  return condition();
}

describe.runIf(process.platform === "linux")("lifetimes: nothing outlives the grader", () => {
  const cli = packagePath("grader/cli/main.ts");
  // Ignores every catchable signal, keeps timers alive, and contract never returns.
  const loop = packagePath("fixtures/submissions/hostile-immortal");

  /** Starts `grade` on a submission whose code loops forever, with a temp folder of its own. */
  async function gradeALoop(tool: IsolationTool) {
    const marker = mkdtempSync(join(root, `life-${tool}-`));
    const grader = spawn(process.execPath, ["--import", "tsx", cli, "grade", loop], {
      env: { ...process.env, TMPDIR: marker, GRADMARK_SANDBOX_TOOL: tool },
      stdio: "ignore",
    });
    const started = await waitFor(
      () => processesMentioning(marker).some((pid) => pid !== grader.pid),
      20_000,
    );
    expect(started).toBe(true);
    return { grader, marker };
  }

  it.each(tools)(
    "with %s, a grader killed by SIGKILL leaves no child behind",
    async (tool) => {
      const { grader, marker } = await gradeALoop(tool);
      grader.kill("SIGKILL");
      await new Promise((resolve) => grader.on("close", resolve));
      expect(await waitFor(() => processesMentioning(marker).length === 0, 5000)).toBe(true);
    },
    60_000,
  );

  it.each(tools)(
    "with %s, a grader stopped by SIGINT leaves no child behind",
    async (tool) => {
      const { grader, marker } = await gradeALoop(tool);
      grader.kill("SIGINT");
      await new Promise((resolve) => grader.on("close", resolve));
      expect(await waitFor(() => processesMentioning(marker).length === 0, 5000)).toBe(true);
    },
    60_000,
  );

  it("a batch killed by SIGKILL leaves no worker and no child behind", async () => {
    const marker = mkdtempSync(join(root, "life-batch-"));
    const classDir = join(marker, "class");
    mkdirSync(join(classDir, "immortal", "src"), { recursive: true });
    writeFileSync(
      join(classDir, "immortal", "src", "contractions.ts"),
      readFileSync(join(loop, "src", "contractions.ts")),
    );
    const batch = spawn(
      process.execPath,
      ["--import", "tsx", cli, "batch", classDir, "--out", join(marker, "out"), "-j", "1"],
      { env: { ...process.env, TMPDIR: marker }, stdio: "ignore" },
    );
    // The batch itself, its worker and the worker's sandboxed child.
    expect(await waitFor(() => processesMentioning(marker).length >= 3, 30_000)).toBe(true);
    batch.kill("SIGKILL");
    await new Promise((resolve) => batch.on("close", resolve));
    expect(await waitFor(() => processesMentioning(marker).length === 0, 5000)).toBe(true);
  }, 60_000);

  it("grade exits once its report is written, whatever the submission left open", async () => {
    const marker = mkdtempSync(join(root, "life-handles-"));
    const grader = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        cli,
        "grade",
        packagePath("fixtures/submissions/hostile-handles"),
        "--only",
        "2",
      ],
      { env: { ...process.env, TMPDIR: marker }, stdio: "ignore" },
    );
    const code = await new Promise((resolve) => grader.on("close", resolve));
    expect(code).toBe(1);
    expect(await waitFor(() => processesMentioning(marker).length === 0, 5000)).toBe(true);
  }, 60_000);
});
