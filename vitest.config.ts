import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * End-to-end files (whole gradings of many submissions, builds, packing, a browser) are named
 * `*.e2e.test.ts` and form their own project, so the unit project stays what a developer runs
 * after each edit (`npm run test:unit`, under a minute on two cores); `npm test` runs both.
 */
const E2E = "**/*.e2e.test.ts";
// Sample submissions are graded by selftest, not run as tests (one links to the solution).
const EXCLUDE = ["node_modules/**", "dist/**", ".stryker-tmp/**", "fixtures/submissions/**"];

export default defineConfig({
  resolve: {
    // The package's own entries, from source: an assignment's helper files inside the checkout
    // (examples/) import "gradmark" too, and must get the grader's own Tensor, not dist's.
    alias: [
      { find: /^gradmark$/, replacement: here("./grader/index.ts") },
      { find: "gradmark/tensor", replacement: here("./reference/tensor/index.ts") },
      { find: "gradmark/checks", replacement: here("./checks/index.ts") },
    ],
  },
  test: {
    // vitest's default is one worker less than the cores: a single worker on a 2-core machine.
    // Test files spend much of their time waiting on graded children, so use every core.
    maxWorkers: availableParallelism(),
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...EXCLUDE, E2E],
          // Files share a worker's module cache instead of re-importing the kit, the checks and
          // the grader per file (57 s -> 40 s here). A test that changes process.env or a global
          // puts it back before it ends.
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: [E2E], exclude: EXCLUDE },
      },
    ],
  },
});
