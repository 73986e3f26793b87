import { Presets, SingleBar } from 'cli-progress';

/** How a run reports its progress; the bar below, or nothing. */
export interface QaProgress {
  start(total: number, done: number): void;
  advance(failed: boolean): void;
  stop(): void;
}

export const NO_PROGRESS: QaProgress = { start: () => undefined, advance: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr (cli-progress), so results piped from stdout stay clean: questions done of
 * all, this run's rate, the time left and the failures so far. Questions done by an earlier run count
 * as done but not into the rate.
 */
export class QaProgressBar implements QaProgress {
  private readonly bar = new SingleBar(
    {
      format: '{bar} {percentage}% | {value}/{total} questions | {rate} q/min | ETA {eta_formatted} | {failed} failed',
      stream: process.stderr,
      etaBuffer: 20,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  private startedAt = 0;
  private answered = 0;
  private failed = 0;

  start(total: number, done: number): void {
    this.startedAt = performance.now();
    this.bar.start(total, done, { rate: '-', failed: 0 });
  }

  advance(failed: boolean): void {
    this.answered++;
    if (failed) this.failed++;
    const minutes = (performance.now() - this.startedAt) / 60_000;
    this.bar.increment({ rate: (this.answered / minutes).toFixed(1), failed: this.failed });
  }

  stop(): void {
    this.bar.stop();
  }
}
