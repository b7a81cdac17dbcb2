#!/usr/bin/env node
// The published entry point: runs the bundled CLI built into dist/ by `npm run build`.
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    console.error(
      "gradmark: dist/ is missing; run `npm run build` in the gradmark checkout first.",
    );
    process.exit(2);
  }
  throw error;
}
