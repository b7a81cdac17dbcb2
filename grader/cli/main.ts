import { hideBin } from "yargs/helpers";
import { processIO } from "../common/io.js";
import { runCli } from "./cli.js";

/** The gradmark executable: a thin layer over the programmatic API (see cli.ts). */
const code = await runCli(hideBin(process.argv), processIO());
// Exit as soon as the report is out, whatever a child or a student's handle left open; children
// still alive are killed by the sandbox's exit hook (and by the kernel, where they die with us).
await Promise.all([
  new Promise<void>((resolve) => process.stdout.write("", () => resolve())),
  new Promise<void>((resolve) => process.stderr.write("", () => resolve())),
]);
process.exit(code);
