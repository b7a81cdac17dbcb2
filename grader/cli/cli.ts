import type { CommandModule } from "yargs";
import yargs from "yargs";
import type { CliIO } from "../common/io.js";
import { UsageError } from "../common/UsageError.js";
import { version } from "../common/version.js";
import {
  type CliDeps,
  type CommandContext,
  defaultDeps,
  EXIT_ERROR,
  reportError,
} from "./shared.js";

// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type
type CommandFactory = (context: CommandContext) => CommandModule<object, any>;

/**
 * Every command's module, loaded only when that command runs (or for the overall help), so a
 * command does not pay for the start-up of the others' dependencies (batch's progress bar and
 * zip reader, selftest's samples, init's scaffolding).
 */
const COMMAND_MODULES: Record<string, () => Promise<CommandFactory>> = {
  check: async () => (await import("./commands/check.js")).checkCommand,
  grade: async () => (await import("./commands/grade.js")).gradeCommand,
  batch: async () => (await import("./commands/batch.js")).batchCommand,
  merge: async () => (await import("./commands/merge.js")).mergeCommand,
  list: async () => (await import("./commands/list.js")).listCommand,
  selftest: async () => (await import("./commands/selftest.js")).selftestCommand,
  init: async () => (await import("./commands/init.js")).initCommand,
};

const COMMANDS = Object.keys(COMMAND_MODULES);

/** yargs' validation message, reworded where it is vague (unknown commands and options). */
export function usageMessage(message: string, argv: string[]): string {
  const first = argv[0];
  if (first !== undefined && !first.startsWith("-") && !COMMANDS.includes(first)) {
    return `unknown command ${JSON.stringify(first)}; commands: ${COMMANDS.join(", ")}`;
  }
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(", ");
    const given = (name: string) =>
      argv.some((arg) => /^--?/.test(arg) && arg.replace(/^--?(no-)?/, "").split("=")[0] === name);
    const options = names
      .filter(given)
      .map((name) => (name.length === 1 ? `-${name}` : `--${name}`));
    const extra = names.filter((name) => !given(name)).map((name) => JSON.stringify(name));
    const parts = [];
    if (options.length > 0) parts.push(`unknown option ${options.join(", ")}`);
    if (extra.length > 0) parts.push(`unexpected argument ${extra.join(", ")}`);
    return parts.join("; ");
  }
  return message;
}

/**
 * Runs the gradmark command line on `argv` (without node and the script) and returns the exit
 * code. Wiring only: each command lives in its own module under commands/.
 */
export async function runCli(
  argv: string[],
  io: CliIO,
  deps: CliDeps = defaultDeps,
): Promise<number> {
  let exitCode = 0;
  const context: CommandContext = { io, deps, exit: (code) => (exitCode = code) };
  const command = COMMANDS.includes(argv[0] ?? "") ? argv[0] : undefined;
  const factories = await Promise.all(
    (command ? [command] : COMMANDS).map((name) => COMMAND_MODULES[name]!()),
  );
  const cli = yargs()
    .scriptName("gradmark")
    .usage("gradmark <command> [options]\n\nHomework autograder for automatic differentiation.");
  for (const factory of factories) cli.command(factory(context));
  cli
    .demandCommand(1, `name a command: ${COMMANDS.join(", ")}`)
    .epilogue(
      "Exit codes: 0 every check run passed, 1 some check did not pass, 2 usage or infrastructure error, or a fault of the assignment (its drivers, judges or cases).",
    )
    .strict()
    .wrap(Math.min(100, process.stdout.columns ?? 80))
    .help()
    .alias("help", "h")
    .version(version)
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(usageMessage(message, argv));
    });

  let output = "";
  try {
    await cli.parseAsync(argv, {}, (_error, _args, text) => {
      output = text ?? "";
    });
  } catch (error) {
    reportError(io, error, command);
    return EXIT_ERROR;
  }
  if (output !== "") io.stdout(`${output}\n`);
  return exitCode;
}
