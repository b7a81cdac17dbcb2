import type { CommandModule } from "yargs";
import { assignmentFileFor } from "../../assignments/repoAssignment.js";
import { type CliIO, decideColor } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import { assignmentOutline, renderOutline } from "../../reporters/assignmentOutline.js";
import { type CliDeps, type CommandContext, defaultDeps, runGuarded } from "../shared.js";

export interface ListArgs {
  assignment?: string;
  format: string;
}

/** `gradmark list`: what is graded and how many points each check is worth. */
export function runListCommand(
  args: ListArgs,
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  return runGuarded(io, "list", async () => {
    if (args.format !== "terminal" && args.format !== "json") {
      throw new UsageError(
        `unknown format ${JSON.stringify(args.format)}; list knows terminal, json`,
      );
    }
    const outline = assignmentOutline(
      await deps.loadAssignment(assignmentFileFor(args, ".", io.cwd), io.cwd),
    );
    io.stdout(
      args.format === "json"
        ? `${JSON.stringify(outline, null, 2)}\n`
        : renderOutline(outline, decideColor(io.env, io.isTTY)),
    );
    return 0;
  });
}

export function listCommand(context: CommandContext): CommandModule<object, ListArgs> {
  return {
    command: "list",
    describe: "list the problems and checks with their points, runs and hidden flags",
    builder: (yargs) =>
      yargs
        .option("assignment", {
          type: "string",
          describe: "an assignment file (.ts or .js) made with defineAssignment; default: autodiff",
        })
        .option("format", {
          type: "string",
          default: "terminal",
          describe: "terminal or json",
        }),
    handler: async (args) => context.exit(await runListCommand(args, context.io, context.deps)),
  };
}
