import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../common/UsageError.js";
import { gradmarkDependency, manifestInTarball, parseGradmarkSource } from "./gradmarkSource.js";

/** A package tarball as npm pack lays it out (everything under package/), made with tar. */
function fakeTarball(path: string, manifest: object, options: { gzip?: boolean } = {}): string {
  const stage = mkdtempSync(join(tmpdir(), "gradmark-fake-pack-"));
  try {
    mkdirSync(join(stage, "package"));
    writeFileSync(join(stage, "package", "README.md"), "first entry, not the manifest\n");
    writeFileSync(join(stage, "package", "package.json"), JSON.stringify(manifest));
    const flags = options.gzip === false ? "-cf" : "-czf";
    execFileSync("tar", [flags, path, "-C", stage, "package/README.md", "package/package.json"]);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return path;
}

// Made when the tests run (not when the file is collected), removed after them.
let root = "";
let staff = "";
let tarball = "";
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gradmark-from-"));
  staff = join(root, "staff");
  mkdirSync(staff);
  tarball = fakeTarball(join(root, "gradmark-0.1.0.tgz"), { name: "gradmark", version: "0.1.0" });
});
afterAll(() => {
  if (root !== "") rmSync(root, { recursive: true, force: true });
});

function failure(spec: string, cwd?: string): string {
  try {
    parseGradmarkSource(spec, cwd ?? staff);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`--from ${spec} was accepted`);
}

describe("parseGradmarkSource", () => {
  it("reads versions, ranges and tags as the npm registry's", () => {
    for (const spec of ["0.1.0", "^0.1.0", "~0.1", ">=0.1.0 <0.3", ">= 0.1.0", "1.x || 2", "*"]) {
      expect(parseGradmarkSource(spec, staff)).toEqual({ kind: "registry", spec });
    }
    expect(parseGradmarkSource("1.0.0 - 1.4.2", staff)).toMatchObject({ kind: "registry" });
    expect(parseGradmarkSource("latest", staff)).toEqual({ kind: "registry", spec: "latest" });
    expect(parseGradmarkSource("gradmark@0.2.0-beta.1", staff)).toEqual({
      kind: "registry",
      spec: "0.2.0-beta.1",
    });
  });

  it("reads URLs and git specs as they are, to be fetched where npm runs", () => {
    const url = "https://github.com/course/gradmark/releases/download/v0.1.0/gradmark-0.1.0.tgz";
    expect(parseGradmarkSource(url, staff)).toEqual({ kind: "url", spec: url });
    for (const spec of [
      "git+https://github.com/course/gradmark.git#v0.1.0",
      "git+ssh://git@github.com/course/gradmark.git",
      "git@github.com:course/gradmark.git",
      "github:course/gradmark#v0.1.0",
      "course/gradmark#v0.1.0",
    ]) {
      expect(parseGradmarkSource(spec, staff)).toEqual({ kind: "git", spec });
    }
  });

  it("resolves a local tarball from the folder init runs in and reads its manifest", () => {
    const expected = { kind: "tarball", path: tarball, version: "0.1.0" };
    expect(parseGradmarkSource("../gradmark-0.1.0.tgz", staff)).toEqual(expected);
    expect(parseGradmarkSource("file:../gradmark-0.1.0.tgz", staff)).toEqual(expected);
    expect(parseGradmarkSource(tarball, "/")).toEqual(expected);
    expect(parseGradmarkSource("gradmark-0.1.0.tgz", root)).toEqual(expected);
    const plain = fakeTarball(
      join(root, "plain.tar"),
      { name: "gradmark", version: "0.1.1" },
      {
        gzip: false,
      },
    );
    expect(parseGradmarkSource(plain, staff)).toMatchObject({ kind: "tarball", version: "0.1.1" });
  });

  it("takes a gradmark folder only with dist/ built", () => {
    const folder = join(root, "checkout");
    mkdirSync(join(folder, "dist"), { recursive: true });
    writeFileSync(join(folder, "package.json"), '{"name":"gradmark","version":"0.1.0"}');
    expect(failure("../checkout")).toBe(
      '--from "../checkout": this gradmark folder has no dist/ (run npm run build in it first, or npm pack it)',
    );
    writeFileSync(join(folder, "dist", "cli.js"), "");
    expect(parseGradmarkSource("../checkout", staff)).toEqual({
      kind: "folder",
      path: folder,
      version: "0.1.0",
    });
    expect(failure("..")).toBe('--from "..": this folder is not a gradmark package');
  });

  it("refuses what cannot be used, in one line", () => {
    expect(failure("")).toMatch(/^--from "": give a version or range \(0\.1\.0\), a tarball/);
    expect(failure("../gradmark-9.9.9.tgz")).toBe(
      `--from "../gradmark-9.9.9.tgz": no such file or folder (${join(root, "gradmark-9.9.9.tgz")}; a path is read from the folder gradmark init runs in)`,
    );
    expect(failure("./vendor/gradmark")).toContain("no such file or folder");
    writeFileSync(join(root, "junk.tgz"), "not a tarball");
    expect(failure("../junk.tgz")).toBe(
      '--from "../junk.tgz": not a package tarball (make one with npm pack)',
    );
    fakeTarball(join(root, "left-pad-1.3.0.tgz"), { name: "left-pad", version: "1.3.0" });
    expect(failure("../left-pad-1.3.0.tgz")).toBe(
      '--from "../left-pad-1.3.0.tgz": this tarball holds "left-pad", not gradmark',
    );
    expect(failure("foo bar")).toMatch(/^--from "foo bar": not something npm installs: give /);
    expect(failure("0.1.0;rm")).toContain("not something npm installs");
    expect(failure("https://")).toBe('--from "https://": not a valid URL');
    expect(failure("a\nb")).toBe('--from "a\\nb": a spec is one line');
    mkdirSync(join(staff, "vendor", "gradmark"), { recursive: true });
    expect(failure("vendor/gradmark")).toBe(
      '--from "vendor/gradmark": npm reads this as a GitHub repository, but vendor/gradmark is also a path here: write ./vendor/gradmark for the path or github:vendor/gradmark for the other',
    );
  });
});

describe("manifestInTarball", () => {
  it("finds package/package.json wherever it is in the archive, or says null", () => {
    expect(manifestInTarball(tarball)).toEqual({ name: "gradmark", version: "0.1.0" });
    expect(manifestInTarball(join(root, "junk.tgz"))).toBeNull();
    expect(manifestInTarball(join(root, "missing.tgz"))).toBeNull();
  });
});

describe("gradmarkDependency", () => {
  const hw = () => join(staff, "hw");

  it("copies a tarball from outside the repository into vendor/ and names it from there", () => {
    expect(gradmarkDependency({ kind: "tarball", path: tarball, version: "0.1.0" }, hw())).toEqual({
      spec: "file:vendor/gradmark-0.1.0.tgz",
      copy: { from: tarball, to: "vendor/gradmark-0.1.0.tgz" },
    });
    const inside = join(hw(), "third_party", "g.tgz");
    expect(gradmarkDependency({ kind: "tarball", path: inside, version: "0.1.0" }, hw())).toEqual({
      spec: "file:third_party/g.tgz",
    });
  });

  it("links a folder by its path from the repository and warns when CI cannot reach it", () => {
    const outside = gradmarkDependency(
      { kind: "folder", path: join(root, "checkout"), version: "0.1.0" },
      hw(),
    );
    expect(outside.spec).toBe("file:../../checkout");
    expect(outside.warning).toMatch(/outside the repository: .*the workflow on GitHub will fail/);
    expect(
      gradmarkDependency(
        { kind: "folder", path: join(hw(), "vendor/gradmark"), version: "" },
        hw(),
      ),
    ).toEqual({ spec: "file:vendor/gradmark" });
  });

  it("writes registry, URL and git specs as given", () => {
    for (const kind of ["registry", "url", "git"] as const) {
      expect(gradmarkDependency({ kind, spec: "S" }, hw())).toEqual({ spec: "S" });
    }
  });
});
