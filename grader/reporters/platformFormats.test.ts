import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { toyAssignment } from "../../testing/toy/toyAssignment.js";
import { gradeSubmission } from "../engine/gradeSubmission.js";
import { classroomOutput, parseClassroomOutput } from "./classroomReporter.js";
import { gradescopeReporter, gradescopeResultsProblems } from "./gradescopeReporter.js";
import { junitReporter } from "./junitReporter.js";

// Real gradings (not hand-made results) rendered in the platforms' formats.
const options = { color: false, command: "npx gradmark grade" };

describe("platform formats of real gradings", () => {
  it("Gradescope: full marks for a correct submission, failures with points for a buggy one", async () => {
    const good = JSON.parse(
      gradescopeReporter.render(
        await gradeSubmission({ dir: "testing/toy/good", assignment: toyAssignment }),
        options,
      ),
    );
    expect(gradescopeResultsProblems(good)).toEqual([]);
    expect(good.score).toBe(20);
    const buggyResult = await gradeSubmission({
      dir: "testing/toy/buggy",
      assignment: toyAssignment,
    });
    const buggy = JSON.parse(gradescopeReporter.render(buggyResult, options));
    expect(gradescopeResultsProblems(buggy)).toEqual([]);
    expect(buggy.score).toBe(0);
    const add = buggy.tests.find((t: { number: string }) => t.number === "1.add.values");
    expect(add).toMatchObject({ status: "failed", score: 0, max_score: 5 });
    expect(add.output).toContain("sign flipped");
    // The hidden check is there, with a visibility that hides it until grades are published.
    const mul = buggy.tests.find((t: { number: string }) => t.number === "1.mul.values");
    expect(mul.visibility).toBe("after_published");
    expect(buggy.output).not.toMatch(/all tests passed/i);
    // The assignment can choose how hidden checks show.
    const strict = JSON.parse(
      gradescopeReporter.render(buggyResult, { ...options, hiddenVisibility: "hidden" }),
    );
    expect(
      strict.tests.find((t: { number: string }) => t.number === "1.mul.values").visibility,
    ).toBe("hidden");
  });

  it("Classroom: per-check points survive the base64 round trip", async () => {
    const result = await gradeSubmission({
      dir: "testing/toy/buggy",
      assignment: toyAssignment,
    });
    const decoded = parseClassroomOutput(classroomOutput(result, options));
    expect(decoded).toMatchObject({ version: 1, status: "fail", max_score: 20 });
    expect(decoded.tests.map((t) => t.score)).toEqual([0, 0, 0]);
    expect(decoded.tests[0]!.message).toContain("replay: npx gradmark grade");
  });

  it("JUnit: a real grading parses as XML with one testcase per check", async () => {
    const result = await gradeSubmission({
      dir: "testing/toy/buggy",
      assignment: toyAssignment,
    });
    const xml = junitReporter.render(result, options);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => ["testsuite", "testcase"].includes(name),
    }).parse(xml);
    const suites = parsed.testsuites.testsuite;
    expect(suites).toHaveLength(2);
    expect(suites.flatMap((s: { testcase: unknown[] }) => s.testcase)).toHaveLength(3);
  });
});
