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
    alias: {
      "gradmark/tensor": here("./reference/tensor/index.ts"),
      "gradmark/checks": here("./checks/index.ts"),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...EXCLUDE, E2E] },
      },
      {
        extends: true,
        test: { name: "e2e", include: [E2E], exclude: EXCLUDE },
      },
    ],
  },
});
