/** One timed request from an empty cache: prompt prefill and first token, then greedy decode steps (EOS ignored). */
export interface PrefillRun {
  /** Prefill of the prompt + sampling of the first token. */
  readonly ttftMs: number;
  /** Decode steps after the first token, and their total time. */
  readonly decodeSteps: number;
  readonly decodeMs: number;
}

export type RunPrefill = (tokens: number[], decodeSteps: number) => Promise<PrefillRun>;

export interface Repetitions {
  readonly warmups: number;
  readonly repeats: number;
}

/** Untimed warm-ups first, so that first-use costs (allocations, kernel selection) stay out of the timed runs. */
export async function timedRuns(run: RunPrefill, tokens: number[], decodeSteps: number, reps: Repetitions): Promise<PrefillRun[]> {
  for (let i = 0; i < reps.warmups; i++) await run(tokens, decodeSteps);
  const runs: PrefillRun[] = [];
  for (let i = 0; i < reps.repeats; i++) runs.push(await run(tokens, decodeSteps));
  return runs;
}
