import cliProgress from "cli-progress";
import type { BatchProgress } from "../batch/gradeClass.js";
import { shortenText } from "../batch/report/formatBatchSummary.js";
import type { BatchEvent } from "../batch/runBatch.js";
import { sanitize } from "../common/sanitize.js";
import { formatPoints } from "../reporters/text.js";

/** Longest error text on a progress line; the full text is in the results and the summary. */
const LINE_ERROR_CHARS = 120;
/** Longest "last submission" text at the end of the bar, so the bar fits an 80+ column terminal. */
const BAR_LAST_CHARS = 60;

/** A time left, with its units: "45s", "3m 20s", "1h 05m"; "?" while it cannot be told. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** A result's message on one line, safe to print: control characters escaped, whitespace runs as one space. */
function oneLine(text: string): string {
  return sanitize(text).replace(/\s+/g, " ").trim();
}

/** "7.5/10", or "error: " and the reason, shortened to `maxError` characters. */
function outcome(event: Extract<BatchEvent, { type: "finished" }>, maxError: number): string {
  const stored = event.stored;
  if (stored.status === "graded")
    return `${formatPoints(stored.result.score)}/${formatPoints(stored.result.maxScore)}`;
  return `error: ${shortenText(oneLine(stored.message), maxError)}`;
}

/**
 * Rate and ETA count only what this run grades (results kept by --resume arrive at once), from
 * the first start to now.
 */
class Clock {
  private started = performance.now();
  private graded = 0;
  private toGrade = 0;
  constructor(private readonly now: () => number = () => performance.now()) {}
  begin(toGrade: number): void {
    this.started = this.now();
    this.toGrade = toGrade;
  }
  tick(): { perMinute: number; etaSeconds: number } {
    this.graded++;
    const elapsed = (this.now() - this.started) / 1000;
    const perSecond = elapsed > 0 ? this.graded / elapsed : 0;
    return {
      perMinute: perSecond * 60,
      etaSeconds:
        perSecond > 0 ? (this.toGrade - this.graded) / perSecond : Number.POSITIVE_INFINITY,
    };
  }
}

/**
 * One line per finished submission, for CI logs and redirected output. Submissions are named by
 * their folder (or zip) name in the class folder, never by a path of this machine.
 * `now` (milliseconds) is for tests.
 */
export function lineProgress(write: (text: string) => void, now?: () => number): BatchProgress {
  const clock = new Clock(now);
  return {
    onEvent: (event) => {
      if (event.type === "start") {
        clock.begin(event.toGrade);
        const kept = event.reused > 0 ? `, ${event.reused} kept from the last run` : "";
        write(
          `grading ${event.toGrade} of ${event.total} submission(s) with ${event.jobs} worker(s)${kept}\n`,
        );
        return;
      }
      const { perMinute, etaSeconds } = clock.tick();
      write(
        `[${event.done}/${event.total}] ${oneLine(event.folder)}: ${outcome(event, LINE_ERROR_CHARS)} (${perMinute.toFixed(1)}/min, ETA ${formatEta(etaSeconds)})\n`,
      );
    },
    stop: () => {},
  };
}

/**
 * A live bar (cli-progress) on a terminal stream, ending with the last submission and its score
 * or shortened error. Nothing is printed above it (cli-progress restores its saved cursor when it
 * stops, which would overwrite such lines): the errors are listed in full once the batch ends.
 */
export function barProgress(stream: NodeJS.WriteStream, now?: () => number): BatchProgress {
  const clock = new Clock(now);
  // cli-progress fills {eta} itself (bare seconds, counted from its own start), hence etaText.
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "grading [{bar}] {value}/{total} | {rate}/min | ETA {etaText} | {last}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onEvent: (event) => {
      if (event.type === "start") {
        clock.begin(event.toGrade);
        bar.start(event.total, event.total - event.toGrade, { rate: "-", etaText: "?", last: "" });
        started = true;
        return;
      }
      const { perMinute, etaSeconds } = clock.tick();
      const last = shortenText(
        `${oneLine(event.folder)} ${outcome(event, BAR_LAST_CHARS)}`,
        BAR_LAST_CHARS,
      );
      bar.update(event.done, { rate: perMinute.toFixed(1), etaText: formatEta(etaSeconds), last });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
