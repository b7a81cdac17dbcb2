import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { version } from "../version.js";

/** The gradmark command line: a thin layer over the programmatic API, one module per command. */
await yargs(hideBin(process.argv))
  .scriptName("gradmark")
  .version(version)
  .usage("gradmark <command> [options]")
  .demandCommand(1, "Name a command; the grading commands arrive with the grader.")
  .strict()
  .help()
  .parseAsync();
