import { LlamaCppInfo, LlamaCppReference } from '../../tests/reference/llama-cpp';
import { procMemoryBytes } from '../lib/proc-memory';
import { attempt, Outcome } from './outcome';
import { BenchPlan, decodeStepsFor, EngineFigures, promptOf } from './plan';
import { PrefillRun, RunPrefill, timedRuns } from './prefill-run';

export interface LlamaCppFigures extends EngineFigures {
  readonly info: LlamaCppInfo;
}

/** llama.cpp (through the project's reference worker) on the plan: timed series, then peak RSS in a fresh worker. */
export async function measureLlamaCpp(plan: BenchPlan, log: (line: string) => void): Promise<LlamaCppFigures> {
  const series = new Map<number, Outcome<PrefillRun[]>>();
  const ref = await LlamaCppReference.start({ modelPath: plan.modelPath, threads: plan.threads });
  let info: LlamaCppInfo;
  try {
    info = await ref.info();
    const run = runPrefillOn(ref);
    for (const [promptTokens, tokens] of plan.prompts) {
      log(`llama.cpp: ${promptTokens}-token prompt`);
      series.set(promptTokens, await attempt(() => timedRuns(run, tokens, decodeStepsFor(plan, promptTokens), plan.repetitions)));
    }
  } finally {
    await ref.close();
  }
  log(`llama.cpp: peak RSS, ${plan.peakRssPromptTokens}-token prompt`);
  const peakRssBytes = await attempt(() => peakRssOfFreshWorker(plan));
  return { info, series, peakRssBytes };
}

function runPrefillOn(ref: LlamaCppReference): RunPrefill {
  return async (tokens, decodeSteps) => {
    const r = await ref.timePrefill(tokens, decodeSteps);
    return { ttftMs: r.ttftMs, decodeSteps: r.decodeTokens, decodeMs: r.decodeMs };
  };
}

/** A worker of its own, so that its high-water mark covers that one request only, as for our engine's child. */
async function peakRssOfFreshWorker(plan: BenchPlan): Promise<number> {
  const ref = await LlamaCppReference.start({ modelPath: plan.modelPath, threads: plan.threads });
  try {
    await ref.timePrefill(promptOf(plan, plan.peakRssPromptTokens), plan.peakRssDecodeSteps);
    const peak = ref.pid === undefined ? undefined : procMemoryBytes(ref.pid, 'VmHWM');
    if (peak === undefined) throw new Error("the llama.cpp worker's peak RSS is not readable from /proc");
    return peak;
  } finally {
    await ref.close();
  }
}
