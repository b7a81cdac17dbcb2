// Builds dist/: one ESM bundle per public entry (shared code split into chunks, so the kit is a
// single module instance across gradmark, gradmark/tensor and gradmark/checks) plus .d.ts files.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { build } from "esbuild";

const entries = {
  index: "grader/index.ts",
  cli: "grader/cli/main.ts",
  // Forked by `gradmark batch`; found next to the chunk that forks it.
  batchWorker: "grader/batch/batchWorker.ts",
  tensor: "reference/tensor/index.ts",
  checks: "checks/index.ts",
  "checks-vitest": "checks/vitest.ts",
};

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([, path]) => existsSync(path))),
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
  stdio: "inherit",
});
