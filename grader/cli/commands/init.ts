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
import { type AssignmentCopy, planAssignmentCopy } from "../../integrations/planAssignmentCopy.js";
import { shellQuote } from "../../reporters/text.js";
import { type CommandContext, EXIT_PASSED, runGuarded } from "../shared.js";

export interface InitArgs {
  dir: string;
  force?: boolean;
  gradescope?: string;
  from?: string;
  /**
   * An assignment file: with --gradescope its folder is shipped in the autograder; otherwise a
   * students' copy of it (without hidden checks) goes into the repository's grading/.
   */
  assignment?: string;
  /** With --assignment (not --gradescope): that assignment's starter folder. */
  starter?: string;
}

/** `gradmark init [dir]`: a student repository from the starter, or a Gradescope autograder. */
export function runInitCommand(args: InitArgs, io: CliIO): Promise<number> {
  return runGuarded(io, "init", async () => {
    if (Array.isArray(args.from)) throw new UsageError("give --from once");
    const from = args.from === undefined ? undefined : parseGradmarkSource(args.from, io.cwd);
    if (args.gradescope !== undefined) {
      if (args.starter !== undefined)
        throw new UsageError("--starter is for a students' repository, not with --gradescope");
      return initGradescope(args.gradescope, from, args, io);
    }
    const target = resolve(io.cwd, args.dir);
    const copy = await studentsCopy(args, target, io);
    let written: string[];
    try {
      written = scaffoldStudentRepo(target, {
        force: args.force,
        from,
        ...(copy && args.starter !== undefined
          ? { starter: resolve(io.cwd, args.starter), assignmentFile: copy.assignmentFile }
          : {}),
      });
    } catch (error) {
      copy?.discard();
      throw error;
    }
    if (copy) {
      copy.write();
      io.stdout(
        `the assignment is in ${join(args.dir, copy.assignmentFile)}, without its hidden checks${copy.leftOut.length > 0 ? ` (${copy.leftOut.join(", ")})` : ""}: package.json names it for check, and the workflow grades with it\n`,
      );
    }
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

/** With --assignment, its students' copy (checked, not yet written) for the repository. */
async function studentsCopy(
  args: InitArgs,
  target: string,
  io: CliIO,
): Promise<AssignmentCopy | undefined> {
  if (args.assignment === undefined) {
    if (args.starter !== undefined)
      throw new UsageError("--starter goes with --assignment <file>, the assignment it starts");
    return undefined;
  }
  if (args.starter === undefined) {
    throw new UsageError(
      "--assignment needs --starter <dir>: the starter of that assignment (the built-in starter is the default assignment's)",
    );
  }
  return planAssignmentCopy(args.assignment, join(target, "grading"), {
    students: true,
    force: args.force,
    cwd: io.cwd,
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
            "an assignment file: the repository gets a copy of its folder without its *.hidden.ts modules in grading/ (with --starter); with --gradescope the autograder ships the whole folder and grades with it",
        })
        .option("starter", {
          type: "string",
          describe:
            "with --assignment: that assignment's starter (a folder with src/, or its modules)",
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
          "gradmark init hw2 --assignment course/hw2/hw2.ts --starter course/hw2-starter",
          "a repository for your own assignment (hidden checks left out)",
        )
        .example(
          "gradmark init --gradescope autograder --assignment course/hw2/hw2.ts",
          "an autograder that grades with your own assignment",
        ) as never,
    handler: async (args) => {
      context.exit(await runInitCommand(args, context.io));
    },
  };
}
