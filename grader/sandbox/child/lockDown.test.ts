import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { packagePath } from "../../packagePath.js";
import { REFUSED_MODULES } from "./lockDown.js";

/**
 * lockDown changes the process it runs in for good, so it runs in a child of its own, which
 * reports every member of every refused module that is still usable, through require and
 * through import() alike.
 */
function runLockedDown(body: string): { out: string; err: string } {
  const script = `
    import { lockDown } from ${JSON.stringify(packagePath("grader/sandbox/child/lockDown.ts"))};
    lockDown();
    ${body}
  `;
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      encoding: "utf8",
      cwd: packagePath("."),
    },
  );
  return { out: run.stdout, err: run.stderr };
}

describe("lockDown", () => {
  it("refuses every function and object member of every refused module, imported any way", () => {
    const { out, err } = runLockedDown(`
      const usable = [];
      for (const name of ${JSON.stringify(REFUSED_MODULES)}) {
        let ns;
        try { ns = await import("node:" + name); } catch { continue; }
        for (const [how, target] of [["import", ns], ["default", ns.default ?? {}]]) {
          for (const key of Object.keys(target)) {
            if (key === "default") continue;
            let value;
            try { value = target[key]; } catch { continue; }
            if (typeof value !== "function" && (typeof value !== "object" || value === null)) continue;
            try { typeof value === "function" ? value() : value.anything; usable.push(how + " " + name + "." + key); }
            catch (e) { if (!String(e.message).includes("is not available to a submission")) usable.push(how + " " + name + "." + key + ": " + e.message); }
          }
        }
      }
      console.log(JSON.stringify(usable));
    `);
    expect(err).not.toMatch(/Error/);
    // Plain data that Node will not let go of: numbers and certificate text, nothing to call.
    const harmless = ["fs.constants", "tls.rootCertificates"];
    const usable = (JSON.parse(out.trim()) as string[]).filter(
      (entry) => !harmless.includes(entry.split(" ")[1]!),
    );
    expect(usable).toEqual([]);
  });

  it("removes the process members and globals that reach past the walls", () => {
    const { out } = runLockedDown(`
      const open = [];
      for (const name of ["abort", "setuid", "setgid", "setgroups", "umask", "kill", "_send", "send",
        "binding", "_linkedBinding", "dlopen", "getBuiltinModule", "_getActiveHandles", "report"]) {
        try { const v = process[name]; if (v !== undefined) open.push(name); } catch {}
      }
      for (const name of ["fetch", "WebSocket"]) {
        try { if (globalThis[name] !== undefined) open.push(name); } catch {}
      }
      const Socket = process.stdout.constructor;
      try { new Socket().connect(9, "127.0.0.1"); open.push("Socket.connect"); } catch {}
      console.log(JSON.stringify(open));
    `);
    expect(JSON.parse(out.trim())).toEqual([]);
  });
});
