import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  detectIsolation,
  type IsolationTool,
  resetIsolationCache,
} from "../isolation/detectIsolation.js";
import { processesNaming } from "../isolation/processTree.js";
import { SandboxChild } from "./SandboxChild.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "gradmark-child-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The tools that work on this machine (bubblewrap and util-linux wrap the child). */
function workingTools(): IsolationTool[] {
  const found: IsolationTool[] = [];
  for (const tool of ["bubblewrap", "util-linux"] as const) {
    const before = process.env.GRADMARK_SANDBOX_TOOL;
    process.env.GRADMARK_SANDBOX_TOOL = tool;
    resetIsolationCache();
    try {
      detectIsolation();
      found.push(tool);
    } catch {
      // Not here.
    } finally {
      if (before === undefined) delete process.env.GRADMARK_SANDBOX_TOOL;
      else process.env.GRADMARK_SANDBOX_TOOL = before;
      resetIsolationCache();
    }
  }
  return found;
}

const tools = process.platform === "linux" ? workingTools() : [];

describe.runIf(tools.length > 0)("SandboxChild.kill", () => {
  it.each(tools)(
    "with %s, leaves no process behind, even killed right after its start",
    async (tool) => {
      const dir = mkdtempSync(join(root, `${tool}-`));
      const bundle = join(dir, "bundle.mjs");
      writeFileSync(bundle, "setTimeout(() => {}, 60_000);\n");
      const before = process.env.GRADMARK_SANDBOX_TOOL;
      process.env.GRADMARK_SANDBOX_TOOL = tool;
      resetIsolationCache();
      try {
        const isolation = detectIsolation();
        // Kills at 0 to 4 ms after the start: the moment a wrapper is still setting up is the
        // one that left processes behind (8 of 40 before the whole tree was killed).
        for (let i = 0; i < 30; i++) {
          let exited!: () => void;
          const gone = new Promise<void>((resolve) => {
            exited = resolve;
          });
          const child = new SandboxChild(
            bundle,
            isolation,
            { heapMb: 64, env: {}, stdout: () => {}, stderr: () => {} },
            {
              message: () => {},
              protocolError: () => {},
              progress: () => {},
              exit: () => exited(),
            },
          );
          await new Promise((resolve) => setTimeout(resolve, i % 5));
          child.kill();
          await gone;
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(processesNaming(dir)).toEqual([]);
      } finally {
        if (before === undefined) delete process.env.GRADMARK_SANDBOX_TOOL;
        else process.env.GRADMARK_SANDBOX_TOOL = before;
        resetIsolationCache();
      }
    },
    60_000,
  );
});
