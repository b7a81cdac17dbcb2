/**
 * The files of a Gradescope autograder for gradmark, as text. They live in TypeScript (not as
 * loose files) so that they ship inside the bundled package.
 *
 * Gradescope's contract ("Autograder Specifications"): the zip holds `setup.sh` (run once, as
 * root, on Gradescope's Ubuntu image when the image is built) and `run_autograder` (run for each
 * submission, working directory /autograder, the zip's contents in /autograder/source, the
 * student's files in /autograder/submission); `run_autograder` must leave
 * /autograder/results/results.json.
 */

export type GradescopeHiddenVisibility = "hidden" | "after_published";

export interface TemplateOptions {
  /** The gradmark version setup.sh installs from the npm registry (when no tarball is shipped). */
  gradmarkVersion: string;
  /** The Node.js major version setup.sh installs when the image has no recent enough Node. */
  nodeMajor: number;
  /** The assignment file, relative to the autograder folder (or absolute); "" for the default. */
  assignmentFile: string;
  /** The Gradescope visibility of hidden checks. */
  hiddenVisibility: GradescopeHiddenVisibility;
}

/** A bash word that is exactly `text` (single-quoted). */
export function bashQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The oldest Node gradmark runs on (package.json `engines`: >=20.19). */
const ENGINE_MAJOR = 20;
const ENGINE_MINOR = 19;

/** setup.sh: installs Node.js and gradmark once, when Gradescope builds the image. */
export function setupScript(options: TemplateOptions): string {
  const minMinor = options.nodeMajor > ENGINE_MAJOR ? 0 : ENGINE_MINOR;
  return `#!/usr/bin/env bash
# Installs Node.js and gradmark on Gradescope's autograder image (Ubuntu).
# Written by \`gradmark init --gradescope\`. Gradescope runs it once, as root, when it builds the
# image for this assignment; nothing here runs per submission.
#
# Node.js: kept if the image already has ${options.nodeMajor}.${minMinor} or newer; otherwise the
# distribution's nodejs package when it is recent enough, else NodeSource's
# (https://deb.nodesource.com, Node ${options.nodeMajor}.x).
# gradmark: a packed tarball shipped next to this file (gradmark-*.tgz, made by \`npm pack\`) if
# there is one, else gradmark@${options.gradmarkVersion} from the npm registry.
set -euo pipefail

NODE_MAJOR=${options.nodeMajor}
NODE_MIN_MINOR=${minMinor}
GRADMARK_VERSION=${bashQuote(options.gradmarkVersion)}
HERE="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

# version_ok 20.19.1 -> true when at least NODE_MAJOR.NODE_MIN_MINOR
version_ok() {
  local version="\${1#v}" major minor
  major="\${version%%.*}"
  minor="\${version#*.}"
  minor="\${minor%%.*}"
  case "$major$minor" in '' | *[!0-9]*) return 1 ;; esac
  [ "$major" -gt "$NODE_MAJOR" ] || { [ "$major" -eq "$NODE_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

node_ok() {
  command -v node >/dev/null 2>&1 && version_ok "$(node --version 2>/dev/null)"
}

if node_ok; then
  echo "setup.sh: using the installed Node.js $(node --version)"
else
  apt-get update
  candidate="$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *\\([0-9][0-9]*\\.[0-9][0-9]*\\).*/\\1/p' | head -n 1 || true)"
  if [ -n "$candidate" ] && version_ok "$candidate"; then
    echo "setup.sh: installing Node.js $candidate from the distribution"
    apt-get install -y nodejs npm
  else
    echo "setup.sh: installing Node.js $NODE_MAJOR.x from NodeSource"
    apt-get install -y ca-certificates curl gnupg
    curl -fsSL "https://deb.nodesource.com/setup_$NODE_MAJOR.x" | bash -
    apt-get install -y nodejs
  fi
fi
if ! node_ok; then
  echo "setup.sh: Node.js $NODE_MAJOR.$NODE_MIN_MINOR or newer is needed, found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

shopt -s nullglob
tarballs=("$HERE"/gradmark-*.tgz)
shopt -u nullglob
if [ "\${#tarballs[@]}" -gt 0 ]; then
  tarball="\${tarballs[\${#tarballs[@]}-1]}"
  echo "setup.sh: installing gradmark from $tarball"
  npm install --global "$tarball"
else
  echo "setup.sh: installing gradmark@$GRADMARK_VERSION from the npm registry"
  npm install --global "gradmark@$GRADMARK_VERSION"
fi
echo "setup.sh: node $(node --version), gradmark $(gradmark --version)"
`;
}

/**
 * run_autograder: grades one submission and always leaves a valid results.json. One template,
 * kept whole so that the script reads top to bottom as bash runs it.
 */
export function runAutograderScript(options: TemplateOptions): string {
  return `#!/usr/bin/env bash
# Grades one Gradescope submission with gradmark. Written by \`gradmark init --gradescope\`.
#
# Gradescope runs this as /autograder/run_autograder with the student's files in
# /autograder/submission (either src/*.ts or the modules themselves at the top level) and reads
# /autograder/results/results.json. Whatever goes wrong, this script leaves a valid results.json:
# if gradmark fails (exit code 2 or any other than 0 and 1) or leaves no valid JSON, the file
# says score 0 with one visible failing test explaining what happened. Exit code 1 only means
# some checks failed: that is a normal result.
#
# Environment (all optional; Gradescope sets none of them):
#   AUTOGRADER_ROOT             the /autograder folder (default /autograder; tests use a copy)
#   AUTOGRADER_SOURCE           this autograder's files (default $AUTOGRADER_ROOT/source)
#   GRADMARK_BIN                the gradmark command as whitespace-separated words (default:
#                               \`gradmark\` on PATH, as setup.sh installs it, else npx)
#   GRADMARK_GRADESCOPE_HIDDEN  Gradescope visibility of hidden checks (hidden, after_due_date or
#                               after_published; default ${options.hiddenVisibility})
#   GRADMARK_TIMEOUT            stop gradmark after this many seconds (default: no limit here;
#                               set it below Gradescope's own timeout to get a result anyway)
#   GRADMARK_SEED               a grading seed students do not know: export it here, e.g.
#                               export GRADMARK_SEED=12345 (students never see this file)
set -uo pipefail

ROOT="\${AUTOGRADER_ROOT:-/autograder}"
SOURCE="\${AUTOGRADER_SOURCE:-$ROOT/source}"
SUBMISSION="$ROOT/submission"
RESULTS_DIR="$ROOT/results"
RESULTS="$RESULTS_DIR/results.json"
GRADMARK_VERSION=${bashQuote(options.gradmarkVersion)}
ASSIGNMENT=${bashQuote(options.assignmentFile)}
export GRADMARK_GRADESCOPE_HIDDEN="\${GRADMARK_GRADESCOPE_HIDDEN:-${options.hiddenVisibility}}"
started=$SECONDS

# A JSON string holding $1 (printable ASCII, tabs and newlines kept; anything else dropped).
json_string() {
  local s
  s="$(printf '%s' "$1" | LC_ALL=C tr -cd '\\11\\12\\15\\40-\\176')"
  s=\${s//\\\\/\\\\\\\\}
  s=\${s//\\"/\\\\\\"}
  s=\${s//$'\\n'/\\\\n}
  s=\${s//$'\\r'/\\\\r}
  s=\${s//$'\\t'/\\\\t}
  printf '"%s"' "$s"
}

# True when $1 is a JSON object Gradescope can read: a numeric score or a tests array.
valid_results() {
  [ -s "$1" ] && command -v node >/dev/null 2>&1 && node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const ok = r !== null && typeof r === "object" && !Array.isArray(r) &&
      (Number.isFinite(r.score) || Array.isArray(r.tests)) &&
      (r.tests === undefined || (Array.isArray(r.tests) &&
        r.tests.every((t) => t !== null && typeof t === "object" && !Array.isArray(t))));
    process.exit(ok ? 0 : 1);
  ' "$1" >/dev/null 2>&1
}

# Writes a results.json with score 0 and one visible failing test: $1 what happened, $2 details.
write_fallback() {
  local output="$1"
  if [ -n "$2" ]; then output="$output"$'\\n\\n'"$2"; fi
  output="$output"$'\\n\\n'"If this is about your files (none of the modules found, one missing), fix the upload and submit again; otherwise please tell the course staff."
  {
    printf '{\\n'
    printf '  "score": 0,\\n'
    printf '  "execution_time": %d,\\n' "$((SECONDS - started))"
    printf '  "output": %s,\\n' "$(json_string "The autograder could not grade this submission, so it scores 0 for now; the test below says why.")"
    printf '  "output_format": "text",\\n'
    printf '  "tests": [\\n'
    printf '    {\\n'
    printf '      "score": 0,\\n'
    printf '      "max_score": 0,\\n'
    printf '      "status": "failed",\\n'
    printf '      "name": "gradmark: the submission could not be graded",\\n'
    printf '      "output": %s,\\n' "$(json_string "$output")"
    printf '      "tags": ["gradmark", "not graded"],\\n'
    printf '      "visibility": "visible"\\n'
    printf '    }\\n'
    printf '  ]\\n'
    printf '}\\n'
  } >"$RESULTS.tmp" && mv -f "$RESULTS.tmp" "$RESULTS"
  echo "run_autograder: wrote a fallback results.json (score 0): $1"
}

mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS"
log="$(mktemp 2>/dev/null || echo "$RESULTS_DIR/gradmark.log")"

gradmark=()
if [ -n "\${GRADMARK_BIN:-}" ]; then read -r -a gradmark <<<"$GRADMARK_BIN"; fi
if [ "\${#gradmark[@]}" -eq 0 ]; then
  if command -v gradmark >/dev/null 2>&1; then
    gradmark=(gradmark)
  else
    gradmark=(npx --yes "gradmark@$GRADMARK_VERSION")
  fi
fi
args=(grade "$SUBMISSION" --format gradescope --out "$RESULTS")
if [ -n "$ASSIGNMENT" ]; then
  case "$ASSIGNMENT" in /*) ;; *) ASSIGNMENT="$SOURCE/$ASSIGNMENT" ;; esac
  args+=(--assignment "$ASSIGNMENT")
fi
limit=()
if [ -n "\${GRADMARK_TIMEOUT:-}" ] && command -v timeout >/dev/null 2>&1; then
  limit=(timeout --kill-after=10 "$GRADMARK_TIMEOUT")
fi

cd "$SOURCE" 2>/dev/null || cd "$ROOT" 2>/dev/null || cd /
echo "run_autograder: \${gradmark[*]} \${args[*]}"
\${limit[@]+"\${limit[@]}"} "\${gradmark[@]}" "\${args[@]}" </dev/null 2>&1 | tee "$log"
code=\${PIPESTATUS[0]}
echo "run_autograder: gradmark exited with code $code"

if { [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; } && valid_results "$RESULTS"; then
  rm -f "$log"
  exit 0
fi
case "$code" in
  0 | 1) reason="gradmark finished (exit code $code) but left no valid results file." ;;
  2) reason="gradmark could not grade this submission (exit code 2: a usage or infrastructure error)." ;;
  124) reason="grading took longer than \${GRADMARK_TIMEOUT:-the time limit} seconds and was stopped." ;;
  126 | 127) reason="the gradmark command could not be run (exit code $code): \${gradmark[0]}" ;;
  *) reason="gradmark stopped unexpectedly (exit code $code)." ;;
esac
details="$(grep -v '^Run "gradmark' "$log" 2>/dev/null | tail -n 30 | cut -c 1-400)"
write_fallback "$reason" "$details"
rm -f "$log"
valid_results "$RESULTS" || echo "run_autograder: warning: could not check the fallback results.json (no node?)"
exit 0
`;
}

/** The README shipped in the autograder folder: uploading it, hidden checks, a secret seed. */
export function readmeText(options: TemplateOptions): string {
  const assignment =
    options.assignmentFile === ""
      ? "the default assignment"
      : `the assignment in \`${options.assignmentFile}\` (relative to this folder, which Gradescope unpacks to /autograder/source)`;
  return `# gradmark autograder for Gradescope

Written by \`gradmark init --gradescope\`. It grades ${assignment} with gradmark ${options.gradmarkVersion}.

Upload: zip the **files** of this folder, not the folder itself (\`cd <this folder> && zip -r
../autograder.zip .\`), and upload the zip as the assignment's autograder ("Configure
Autograder", an Ubuntu base image).

- \`setup.sh\` runs once when Gradescope builds the image: it installs Node.js ${options.nodeMajor}
  (if the image has no recent enough Node) and gradmark, from a \`gradmark-*.tgz\` tarball put next
  to it (made with \`npm pack\`) or else \`gradmark@${options.gradmarkVersion}\` from npm.
- \`run_autograder\` runs for each submission: \`gradmark grade /autograder/submission --format
  gradescope --out /autograder/results/results.json\`. Students may upload \`src/*.ts\` or the
  modules themselves. If gradmark cannot grade (exit code 2, a crash, no valid JSON), it still
  writes a results.json: score 0 and one visible failing test that says why. Its own log goes to
  Gradescope's stdout, which only instructors see.

Hidden checks are shown to students \`${options.hiddenVisibility}\` (Gradescope's test visibility);
every other check is \`visible\`. While hidden tests exist, Gradescope does not show students their
total score, and gradmark's summary counts only the visible checks. Change the visibility with
\`GRADMARK_GRADESCOPE_HIDDEN\` at the top of \`run_autograder\` (hidden, after_due_date,
after_published).

A secret seed: add \`export GRADMARK_SEED=<integer>\` near the top of \`run_autograder\`; students
never see the autograder's files, and the reports print the seed as secret.

Try it locally without Gradescope: make a folder with \`submission/\` (a student's files) and
\`source/\` (these files), then run \`AUTOGRADER_ROOT=<that folder> bash source/run_autograder\` and
read \`<that folder>/results/results.json\`. \`GRADMARK_BIN\` chooses the gradmark command (words
separated by spaces), \`GRADMARK_TIMEOUT\` stops grading after that many seconds.
`;
}
