import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { CommandModule } from "yargs";
import type { CliIO } from "../../common/io.js";
import { UsageError } from "../../common/UsageError.js";
import {
  FROM_FORMS,
  type GradmarkSource,
  gradmarkDependency,
  parseGradmarkSource,
} from "../../init/gradmarkSource.js";
import { DEFAULT_GRADMARK_SPEC, scaffoldStudentRepo } from "../../init/scaffoldStudentRepo.js";
import { planAssignmentShipment } from "../../integrations/gradescope/shipAssignment.js";
import { shellQuote } from "../../reporters/text.js";
import { type CommandContext, EXIT_PASSED, runGuarded } from "../shared.js";

export interface InitArgs {
  dir: string;
  force?: boolean;
  gradescope?: string;
  from?: string;
  /** With --gradescope: the assignment file whose folder the autograder ships and grades with. */
  assignment?: string;
}

/** `gradmark init [dir]`: a student repository from the starter, or a Gradescope autograder. */
export function runInitCommand(args: InitArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "init", async () => {
    if (Array.isArray(args.from)) throw new UsageError("give --from once");
    const from = args.from === undefined ? undefined : parseGradmarkSource(args.from, io.cwd);
    if (args.gradescope !== undefined) return initGradescope(args.gradescope, from, args, io);
    if (args.assignment !== undefined) {
      throw new UsageError(
        "--assignment goes with --gradescope for now: a students' repository would ship the assignment's hidden checks (a students' copy without them is not built yet); name it in the repository's package.json instead (\"gradmark\": { \"assignment\": ... })",
      );
    }
    const target = resolve(io.cwd, args.dir);
    const written = scaffoldStudentRepo(target, { force: args.force, from });
    const dependency = from ? gradmarkDependency(from, target) : { spec: DEFAULT_GRADMARK_SPEC };
    io.stdout(`created a homework repository in ${args.dir} (${written.length} files)\n`);
    if (dependency.copy) {
      io.stdout(
        `gradmark comes from ${dependency.copy.to}, a copy of ${args.from}: commit it with the rest, the workflow installs it from there\n`,
      );
    } else if (from?.kind === "registry") {
      io.stdout(
        `gradmark ${from.spec} comes from the npm registry (or the one .npmrc names), where it must be published\n`,
      );
    } else if (from) {
      io.stdout(`gradmark comes from ${dependency.spec}\n`);
    }
    const cd = args.dir === "." ? "" : `cd ${shellQuote(args.dir)} && `;
    io.stdout(`next: ${cd}npm install && npx gradmark check\n`);
    if (dependency.warning) io.stdout(`note: ${dependency.warning}\n`);
    if (!from) {
      io.stdout(
        `note: without --from, package.json asks the npm registry for gradmark ${DEFAULT_GRADMARK_SPEC}, so npm install (here and in the workflow) fails until gradmark is published there; to install it from elsewhere, run init again with --force --from <spec>: ${FROM_FORMS}\n`,
      );
    }
    return EXIT_PASSED;
  });
}

async function initGradescope(
  dir: string,
  from: GradmarkSource | undefined,
  args: InitArgs,
  io: CliIO,
): Promise<number> {
  const { writeGradescopeAutograder } = await import(
    "../../integrations/gradescope/writeGradescopeAutograder.js"
  );
  const { version } = await import("../../common/version.js");
  if (from && from.kind !== "tarball" && !(from.kind === "registry" && isExact(from.spec))) {
    throw new UsageError(
      `with --gradescope, --from takes an exact version (0.1.0) or a tarball made by npm pack on this machine (setup.sh installs the gradmark-*.tgz shipped in the zip); got ${JSON.stringify(args.from)}`,
    );
  }
  const target = resolve(io.cwd, dir);
  const shipment =
    args.assignment === undefined
      ? undefined
      : await planAssignmentShipment(args.assignment, target, { force: args.force, cwd: io.cwd });
  const written = writeGradescopeAutograder(target, {
    gradmarkVersion:
      from === undefined ? version : from.kind === "tarball" ? from.version : from.spec,
    tarball: from?.kind === "tarball" ? from.path : undefined,
    force: args.force,
    ...(shipment ? { assignmentFile: shipment.assignmentFile } : {}),
  });
  if (shipment) {
    shipment.copy();
    written.push(join(target, shipment.assignmentFile));
  }
  const shown = written.map((file) => relative(io.cwd, file) || file);
  io.stdout(`wrote a Gradescope autograder to ${dir}:\n${shown.map((f) => `  ${f}`).join("\n")}\n`);
  io.stdout("zip the folder's contents and upload them as the assignment's autograder.\n");
  const shipped = readdirSync(target).filter((name) => /^gradmark-.*\.tgz$/.test(name));
  if (shipped.length === 0) {
    const pinned = from?.kind === "registry" ? from.spec : version;
    io.stdout(
      `note: setup.sh installs a gradmark-*.tgz from this folder if there is one, else gradmark@${pinned} from the npm registry, which works only once it is published there; put the npm pack tarball in ${dir} or use --from <tarball>\n`,
    );
  }
  return EXIT_PASSED;
}

/** An exact version or a dist-tag: what an autograder pins (setup.sh's GRADMARK_VERSION). */
function isExact(spec: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(spec);
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
        .option("from", {
          type: "string",
          describe:
            "where the repository installs gradmark from: a version or range, a tarball made by npm pack (path or URL; a local one is copied into vendor/), a git URL or a gradmark folder (default: the npm registry)",
        })
        .option("assignment", {
          type: "string",
          describe:
            "with --gradescope: an assignment file; its folder (drivers and what it imports) is shipped in the autograder, which grades with it",
        })
        .option("gradescope", {
          type: "string",
          describe:
            "instead, write a Gradescope autograder folder (setup.sh, run_autograder) here; --from <tarball> ships that tarball in it, --from <version> pins a published version",
        })
        .example("gradmark init my-homework", "a new student repository")
        .example(
          "gradmark init my-homework --from ../gradmark-0.1.0.tgz",
          "one that installs gradmark from a tarball (copied to vendor/)",
        )
        .example("gradmark init --gradescope autograder", "files to upload to Gradescope")
        .example(
          "gradmark init --gradescope autograder --assignment course/hw2/hw2.ts",
          "an autograder that grades with your own assignment",
        ) as never,
    handler: async (args) => {
      context.exit(await runInitCommand(args, context.io));
    },
  };
}
