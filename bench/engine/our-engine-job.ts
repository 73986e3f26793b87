import type { PrefillRun, Repetitions } from './prefill-run';

/** What the parent asks of one our-engine child process (sent as JSON on its stdin). */
export interface OurEngineJob {
  readonly modelPath: string;
  readonly threads: number;
  readonly tokens: number[];
  readonly decodeSteps: number;
  readonly repetitions: Repetitions;
}

/** The child's answer: its last stdout line, as JSON. */
export interface OurEngineResult {
  readonly runs: PrefillRun[];
  /** The child's own high-water mark (getrusage ru_maxrss), model load included. */
  readonly maxRssBytes: number;
}
