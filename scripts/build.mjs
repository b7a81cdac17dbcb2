// Builds dist/: one ESM bundle per public entry (shared code split into chunks, so the kit is a
// single module instance across gradmark, gradmark/tensor and gradmark/checks) plus .d.ts files.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { build } from "esbuild";

const entries = {
  index: "grader/index.ts",
  cli: "grader/cli/main.ts",
  // Forked by `gradmark batch`; found next to the chunk that forks it.
  batchWorker: "grader/batch/pool/batchWorker.ts",
  tensor: "reference/tensor/index.ts",
  checks: "checks/index.ts",
  "checks-vitest": "checks/vitest.ts",
};

/**
 * npm packages stay external (installed beside gradmark: one fast-check shared with assignment
 * files, esbuild's and tsx's own files) except `names`, bundled in with what they import: yargs
 * loaded as its own ES modules cost about 20 ms of every start. Its help texts then stay in
 * English (its locale files are not read), like gradmark's own.
 */
function bundleOnly(names) {
  return {
    name: "bundle-only",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith("@")
          ? args.path.split("/").slice(0, 2).join("/")
          : args.path.split("/")[0];
        const fromBundled = args.importer.includes("/node_modules/");
        if (names.includes(name) || fromBundled) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([, path]) => existsSync(path))),
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  plugins: [bundleOnly(["yargs"])],
  sourcemap: true,
  logLevel: "warning",
});
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
  stdio: "inherit",
});
