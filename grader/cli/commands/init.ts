import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { scaffoldStudentRepo } from "../../init/scaffoldStudentRepo.js";
import type { CliIO } from "../io.js";
import { type CommandContext, EXIT_PASSED, runGuarded } from "../shared.js";

export interface InitArgs {
  dir: string;
  force?: boolean;
  gradescope?: string;
}

/** `gradmark init [dir]`: a student repository from the starter, or a Gradescope autograder. */
export function runInitCommand(args: InitArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "init", async () => {
    if (args.gradescope !== undefined) {
      const { writeGradescopeAutograder } = await import(
        "../../integrations/gradescope/writeGradescopeAutograder.js"
      );
      const { version } = await import("../../version.js");
      const written = writeGradescopeAutograder(resolve(io.cwd, args.gradescope), {
        gradmarkVersion: version,
      });
      io.stdout(
        `wrote a Gradescope autograder to ${args.gradescope}:\n${written.map((f) => `  ${f}`).join("\n")}\n`,
      );
      io.stdout("zip the folder's contents and upload them as the assignment's autograder.\n");
      return EXIT_PASSED;
    }
    const written = scaffoldStudentRepo(resolve(io.cwd, args.dir), { force: args.force });
    io.stdout(`created a homework repository in ${args.dir} (${written.length} files)\n`);
    io.stdout(`next: cd ${args.dir} && npm install && npx gradmark check\n`);
    return EXIT_PASSED;
  });
}

export function initCommand(context: CommandContext): CommandModule<object, InitArgs> {
  return {
    command: "init [dir]",
    describe: "scaffold a student repository from the starter (with its CI workflow)",
    builder: (y) =>
      y
        .positional("dir", {
          type: "string",
          default: ".",
          describe: "where to create the repository",
        })
        .option("force", { type: "boolean", describe: "overwrite files that already exist" })
        .option("gradescope", {
          type: "string",
          describe: "instead, write a Gradescope autograder folder (setup.sh, run_autograder) here",
        })
        .example("gradmark init my-homework", "a new student repository")
        .example("gradmark init --gradescope autograder", "files to upload to Gradescope") as never,
    handler: async (args) => {
      context.exit(await runInitCommand(args, context.io));
    },
  };
}
