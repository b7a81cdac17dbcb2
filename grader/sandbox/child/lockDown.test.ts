import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { packagePath } from "../../common/packagePath.js";
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

  it("refuses the network through http, https, http2 and tls, which it leaves unloaded", () => {
    const { out } = runLockedDown(`
      const open = [];
      const tries = {
        "http.get": async () => (await import("node:http")).get("http://127.0.0.1:9/"),
        "https.get": async () => (await import("node:https")).get("https://127.0.0.1:9/"),
        "http2.connect": async () => (await import("node:http2")).connect("http://127.0.0.1:9"),
        "tls.connect": async () => (await import("node:tls")).connect(9, "127.0.0.1"),
        "http.listen": async () => (await import("node:http")).createServer().listen(0),
        "https.listen": async () => (await import("node:https")).createServer().listen(0),
        "tls.listen": async () => (await import("node:tls")).createServer().listen(0),
        "http2.listen": async () => (await import("node:http2")).createServer().listen(0),
      };
      for (const [name, attempt] of Object.entries(tries)) {
        try { await attempt(); open.push(name); }
        catch (e) { if (!String(e.message).includes("is not available to a submission")) open.push(name + ": " + e.message); }
      }
      console.log(JSON.stringify(open));
      process.exit(0);
    `);
    expect(JSON.parse(out.trim())).toEqual([]);
  });

  it("makes the process functions and globals that reach past the walls throw when called", () => {
    const { out } = runLockedDown(`
      const open = [];
      const names = ["abort", "setuid", "setgid", "setgroups", "umask", "kill", "_kill", "_send", "send",
        "binding", "_linkedBinding", "dlopen", "getBuiltinModule", "_getActiveHandles"];
      for (const [target, list] of [[process, names], [globalThis, ["fetch", "WebSocket"]]]) {
        for (const name of list) {
          const value = target[name];
          if (value === undefined) continue;
          try { value.call(target, 0); open.push(name); }
          catch (e) { if (!String(e.message).includes("is not available to a submission")) open.push(name + ": " + e.message); }
        }
      }
      const Socket = process.stdout.constructor;
      try { new Socket().connect(9, "127.0.0.1"); open.push("Socket.connect"); } catch {}
      console.log(JSON.stringify(open));
    `);
    expect(JSON.parse(out.trim())).toEqual([]);
  });

  it("leaves Node's own handling of an uncaught exception working (no internal error, exit 7)", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `
        import { lockDown } from ${JSON.stringify(packagePath("grader/sandbox/child/lockDown.ts"))};
        lockDown();
        process.on("uncaughtException", () => console.log("handled"));
        setTimeout(() => { throw new Error("boom"); }, 0);
        `,
      ],
      { encoding: "utf8", cwd: packagePath(".") },
    );
    expect(run.stdout.trim()).toBe("handled");
    expect(run.status).toBe(0);
  });
});
