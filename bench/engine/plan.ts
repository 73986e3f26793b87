import type { Outcome } from './outcome';
import type { PrefillRun, Repetitions } from './prefill-run';

/** What both engines are asked to do: same model, threads, prompt token ids and repetitions. */
export interface BenchPlan {
  readonly modelPath: string;
  readonly threads: number;
  /** Prompt token ids by prompt length. */
  readonly prompts: ReadonlyMap<number, number[]>;
  readonly repetitions: Repetitions;
  /** Decode speed is measured on the series of this prompt length, right after its first token. */
  readonly decodePromptTokens: number;
  readonly decodeSteps: number;
  /** Peak RSS comes from a fresh process serving one request of this shape. */
  readonly peakRssPromptTokens: number;
  readonly peakRssDecodeSteps: number;
  /** Our engine's process is killed beyond this RSS, before it pushes the shared machine into swapless OOM. */
  readonly rssCapBytes: number;
}

/** Everything measured for one engine. */
export interface EngineFigures {
  /** Timed runs by prompt length. */
  readonly series: ReadonlyMap<number, Outcome<PrefillRun[]>>;
  readonly peakRssBytes: Outcome<number>;
}

export function decodeStepsFor(plan: BenchPlan, promptTokens: number): number {
  return promptTokens === plan.decodePromptTokens ? plan.decodeSteps : 0;
}

export function promptOf(plan: BenchPlan, promptTokens: number): number[] {
  const tokens = plan.prompts.get(promptTokens);
  if (!tokens) throw new Error(`no ${promptTokens}-token prompt in the plan`);
  return tokens;
}
