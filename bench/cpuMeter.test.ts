import { describe, expect, it } from "vitest";
import { commandCpu, processCpuMeter } from "./cpuMeter.js";

// A grandchild that spins for 300 ms of CPU and is then killed with its parent, reaped by no one
// the meter's command waits for: what the sandbox's children look like to reaped-children counters.
const ORPHANED_SPIN = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000);"], { stdio: "ignore" });
setTimeout(() => process.exit(0), 1500);
`;

describe("cpuMeter", () => {
  it("counts the CPU of a command's killed descendants in a cgroup, or says it cannot", () => {
    const run = commandCpu(process.execPath, ["-e", ORPHANED_SPIN]);
    expect(run.status).toBe(0);
    if (run.source.complete) {
      expect(run.source.kind).toMatch(/^cgroup v[12]$/);
      expect(run.cpuSeconds).toBeGreaterThan(0.3);
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
