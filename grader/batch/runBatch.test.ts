import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/cli.js";

// A small class whose submissions all end quickly (refused, or nothing implemented), graded
// through the CLI as a TA would: what it prints, stores and reports must name each submission
// relative to the class folder, never by a path of this machine.
let root: string;
let printed = "";
let code: number;

/** Where a path of this machine could show: the class's own folder, and the temporary ones. */
function machinePaths(): string[] {
  return [root, realpathSync(root), tmpdir(), realpathSync(tmpdir())];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "gradmark-paths-"));
  const classDir = join(root, "class");
  mkdirSync(join(classDir, "alice"), { recursive: true }); // no src/
  mkdirSync(join(classDir, "bob", "src"), { recursive: true }); // graded: nothing implemented
  writeFileSync(join(classDir, "bob", "src", "notes.ts"), "export const x = 1;\n");
  writeFileSync(join(classDir, "carol.zip"), zipSync({ "repo/README.md": strToU8("hi") }));
  writeFileSync(join(classDir, "dave.zip"), "PK\u0003\u0004 not a zip");
  symlinkSync(join(root, "nowhere"), join(classDir, "erin")); // unreadable
  writeFileSync(join(root, "roster.csv"), "folder,id,name\nbob,s2,Bob\nfrank,s6,Frank\n");
  const write = (text: string) => {
    printed += text;
  };
  const io = { stdout: write, stderr: write, isTTY: false, env: {}, cwd: root };
  code = await runCli(
    ["batch", "class", "--out", "out", "-j", "2", "--roster", "roster.csv", "--html", "out/r.html"],
    io,
  );
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("a batch names submissions relative to the class folder", () => {
  it("prints progress, errors and the summary without a path of this machine", () => {
    expect(code).toBe(1);
    const progress = printed.split("\n").filter((line) => line.startsWith("["));
    expect(progress).toHaveLength(5);
    for (const line of progress)
      expect(line).toMatch(/ \([\d.]+\/min, ETA (\d+s|\d+m \d\ds|\?)\)$/);
    expect(printed).toMatch(/\n {2}carol: carol\.zip\b/);
    expect(printed).toMatch(/\n {2}alice: alice\b/);
    expect(printed).toContain("grades written to out/grades.csv\n");
    for (const path of machinePaths()) expect(printed).not.toContain(path);
    // Nor any other absolute path (a word starting with / and holding another /).
    expect(printed).not.toMatch(/(^|[\s'"(=:,[])\/[^\s/]+\//m);
  });

  it("stores the same relative messages in grades.csv, the results and the HTML report", () => {
    const out = join(root, "out");
    const files = [
      join(out, "grades.csv"),
      join(out, "r.html"),
      ...readdirSync(join(out, "results")).map((name) => join(out, "results", name)),
    ];
    expect(files.length).toBeGreaterThan(6);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const path of machinePaths()) expect(text, file).not.toContain(path);
      expect(text, file).not.toContain("gradmark-batch-");
    }
    const csv = readFileSync(join(out, "grades.csv"), "utf8");
    expect(csv).not.toMatch(/(^|[\s'"(=:,[])\/[^\s/]+\//m);
    expect(csv).toMatch(/\ncarol,.*,error,.*carol\.zip\//);
    const html = readFileSync(join(out, "r.html"), "utf8");
    expect(html).toContain(
      '<div class="value">1</div><div class="label">missing (no submission)</div>',
    );
    // bob's root causes (nothing implemented), with their messages, relative too.
    expect(html).toMatch(/<td class="failures"><details><summary>\d+ failed checks/);
    expect(html).toContain('<div class="check-message">src/');
  });
});
