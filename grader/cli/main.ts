import { hideBin } from "yargs/helpers";
import { runCli } from "./cli.js";
import { processIO } from "./io.js";

/** The gradmark executable: a thin layer over the programmatic API (see cli.ts). */
process.exitCode = await runCli(hideBin(process.argv), processIO());
