import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "gradmark/tensor": here("./reference/tensor/index.ts"),
      "gradmark/checks": here("./checks/index.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    // Sample submissions are graded by selftest, not run as tests (one links to the solution).
    exclude: ["node_modules/**", "dist/**", ".stryker-tmp/**", "fixtures/submissions/**"],
  },
});
