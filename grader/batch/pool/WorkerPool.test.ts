import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool } from "./WorkerPool.js";
import type { GradeJob } from "./workerProtocol.js";

// A stand-in worker whose behaviour the job's folder name chooses.
const FAKE_WORKER = `
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
process.on("disconnect", () => process.exit(0));
process.on("message", ({ type, job }) => {
  if (type === "stop") {
    writeFileSync(new URL("stopped-" + process.pid, import.meta.url), "");
    process.exit(0);
  }
  const folder = job.folder;
  if (folder === "exit") process.exit(3);
  if (folder === "sigkill") process.kill(process.pid, "SIGKILL");
  if (folder === "hang-with-grandchild") {
    const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    writeFileSync(job.path, String(grandchild.pid));
    return;
  }
  if (folder === "hang") return;
  if (folder === "tmpdir") return process.send({ type: "graded", folder, result: { tmp: tmpdir() } });
  if (folder === "lies") return process.send({ type: "graded", folder: "someone-else", result: {} });
  process.send({ type: "graded", folder, result: { score: folder.length } });
});
process.send({ type: "ready" });
`;

let dir: string;
const spec = () => ({ file: join(dir, "worker.mjs"), execArgv: [] });
const job = (folder: string): GradeJob => ({
  folder,
  path: "/nowhere",
  kind: "folder",
  seed: 1,
  assignmentFile: null,
  unpackDir: "/nowhere",
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gradmark-pool-"));
  writeFileSync(join(dir, "worker.mjs"), FAKE_WORKER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("WorkerPool", () => {
  it("grades jobs on its workers and answers each with its own result", async () => {
    const pool = new WorkerPool(2, 20_000, spec());
    try {
      const replies = await Promise.all(
        ["a", "bb", "ccc", "dddd", "eeeee"].map((f) => pool.grade(job(f))),
      );
      expect(replies.map((r) => (r.type === "graded" ? r.result.score : r.type))).toEqual([
        1, 2, 3, 4, 5,
      ]);
    } finally {
      pool.close();
    }
  });

  it("turns a worker's exit, its death by signal and a wrong answer into a failure of that job only", async () => {
    const pool = new WorkerPool(1, 20_000, spec());
    try {
      const [exit, killed, lies, after] = await Promise.all(
        ["exit", "sigkill", "lies", "after"].map((f) => pool.grade(job(f))),
      );
      expect(exit).toMatchObject({
        type: "failed",
        folder: "exit",
        message: expect.stringContaining("exit code 3"),
      });
      expect(killed).toMatchObject({
        type: "failed",
        message: expect.stringContaining("signal SIGKILL"),
      });
      expect(lies).toMatchObject({
        type: "failed",
        message: expect.stringContaining("answered about someone-else"),
      });
      expect(after).toMatchObject({ type: "graded", folder: "after" });
    } finally {
      pool.close();
    }
  });

  it("stops a worker that overruns its time with everything it started, and goes on", async () => {
    const pool = new WorkerPool(1, 1500, spec());
    try {
      const pidFile = join(dir, "grandchild.pid");
      const hung = await pool.grade({ ...job("hang-with-grandchild"), path: pidFile });
      expect(hung).toMatchObject({
        type: "failed",
        message: expect.stringContaining("longer than 2 s"),
      });
      // The grandchild stands for a sandbox child: killed with its worker's process group.
      const grandchild = Number(readFileSync(pidFile, "utf8"));
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        try {
          process.kill(grandchild, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          alive = false;
        }
      }
      expect(alive).toBe(false);
      expect(await pool.grade(job("next"))).toMatchObject({ type: "graded", folder: "next" });
    } finally {
      pool.close();
    }
  });

  it("lets idle workers exit on their own at shutdown", async () => {
    const pool = new WorkerPool(2, 20_000, spec());
    await Promise.all(["a", "bb"].map((f) => pool.grade(job(f))));
    await pool.shutdown(5_000);
    expect(readdirSync(dir).filter((f) => f.startsWith("stopped-"))).toHaveLength(2);
  });

  it("gives its workers the scratch folder it is told, as TMPDIR", async () => {
    const scratch = join(dir, "scratch");
    const pool = new WorkerPool(1, 20_000, spec(), scratch);
    try {
      expect(await pool.grade(job("tmpdir"))).toMatchObject({ result: { tmp: scratch } });
    } finally {
      pool.close();
    }
  });
});
