import cliProgress from "cli-progress";
import type { BatchEvent } from "../batch/runBatch.js";
import { formatPoints, sanitize } from "../reporters/text.js";

/** Shows a batch's progress: a bar with counts, rate and ETA on a terminal, plain lines otherwise. */
export interface BatchProgress {
  onEvent: (event: BatchEvent) => void;
  stop: () => void;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function outcome(event: Extract<BatchEvent, { type: "finished" }>): string {
  const stored = event.stored;
  if (stored.status === "graded")
    return `${formatPoints(stored.result.score)}/${formatPoints(stored.result.maxScore)}`;
  return `error: ${sanitize(stored.message.split("\n")[0] ?? "")}`;
}

/**
 * Rate and ETA count only what this run grades (results kept by --resume arrive at once), from
 * the first start to now.
 */
class Clock {
  private started = performance.now();
  private graded = 0;
  private toGrade = 0;
  begin(toGrade: number): void {
    this.started = performance.now();
    this.toGrade = toGrade;
  }
  tick(): { perMinute: number; etaSeconds: number } {
    this.graded++;
    const elapsed = (performance.now() - this.started) / 1000;
    const perSecond = elapsed > 0 ? this.graded / elapsed : 0;
    return {
      perMinute: perSecond * 60,
      etaSeconds:
        perSecond > 0 ? (this.toGrade - this.graded) / perSecond : Number.POSITIVE_INFINITY,
    };
  }
}

/** One line per finished submission, for CI logs and redirected output. */
export function lineProgress(write: (text: string) => void): BatchProgress {
  const clock = new Clock();
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
        `[${event.done}/${event.total}] ${sanitize(event.folder)}: ${outcome(event)} (${perMinute.toFixed(1)}/min, ETA ${duration(etaSeconds)})\n`,
      );
    },
    stop: () => {},
  };
}

/** A live bar (cli-progress) on a terminal stream; errors are printed above it as they come. */
export function barProgress(stream: NodeJS.WriteStream): BatchProgress {
  const clock = new Clock();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "grading [{bar}] {value}/{total} | {rate}/min | ETA {eta} | {last}",
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
        bar.start(event.total, event.total - event.toGrade, { rate: "-", eta: "?", last: "" });
        started = true;
        return;
      }
      const { perMinute, etaSeconds } = clock.tick();
      const last = `${sanitize(event.folder)} ${outcome(event)}`.slice(0, 60);
      bar.update(event.done, { rate: perMinute.toFixed(1), eta: duration(etaSeconds), last });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
