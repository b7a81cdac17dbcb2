import { describe, expect, it } from "vitest";
import { commandCpu, processCpuMeter } from "./cpuMeter.js";

// A grandchild that spins, says so after 200 ms of CPU, and is killed while the command exits at
// once, so no one the command's caller waits for reaps it: what the sandbox's children look like
// to reaped-children counters.
const KILLED_SPIN = `
const { spawn } = require("node:child_process");
const spin = "const t = process.cpuUsage(); let said = false; for (;;) { if (!said && process.cpuUsage(t).user > 200000) { said = true; process.stdout.write('spun'); } }";
const child = spawn(process.execPath, ["-e", spin], { stdio: ["ignore", "pipe", "ignore"] });
child.stdout.once("data", () => { child.kill("SIGKILL"); process.exit(0); });
`;

describe("cpuMeter", () => {
  it("counts the CPU of a command's killed descendants in a cgroup, or says it cannot", () => {
    const run = commandCpu(process.execPath, ["-e", KILLED_SPIN]);
    expect(run.status).toBe(0);
    if (run.source.complete) {
      expect(run.source.kind).toMatch(/^cgroup v[12]$/);
      expect(run.cpuSeconds).toBeGreaterThan(0.2);
    } else {
      expect(run.source.kind).toBe("rusage");
    }
  }, 20_000);

  it("meters this process and what it starts, and lets go of it", () => {
    const meter = processCpuMeter();
    const until = process.cpuUsage().user + 100_000;
    while (process.cpuUsage().user < until);
    const used = meter.read();
    meter.close();
    expect(used).toBeGreaterThan(0.09);
    expect(used).toBeLessThan(5);
  });
});
