import type { LlamaCppInfo } from '../../tests/reference/llama-cpp';
import type { MachineInfo } from '../lib/machine';
import type { Outcome } from './outcome';
import type { BenchPlan, EngineFigures } from './plan';
import { EngineSummary, failureNotes, ratio } from './summary';
import type { TargetCheck } from './targets';

export interface EngineResultsInput {
  readonly date: Date;
  readonly command: string;
  readonly argv: readonly string[];
  readonly quick: boolean;
  readonly plan: BenchPlan;
  readonly promptSource: string;
  readonly machine: MachineInfo;
  readonly llamaCppInfo: LlamaCppInfo;
  readonly reference: { readonly figures: EngineFigures; readonly summary: EngineSummary };
  readonly ours: { readonly figures: EngineFigures; readonly summary: EngineSummary };
  readonly checks: readonly TargetCheck[];
}

/** bench/results/engine.json: every figure (raw runs and medians), the protocol, the machine and the verdicts. */
export function engineResultsJson(input: EngineResultsInput): unknown {
  const { plan, reference, ours } = input;
  const lengths = [...plan.prompts.keys()];
  return {
    benchmark: 'engine',
    date: input.date.toISOString(),
    command: input.command,
    argv: input.argv,
    quick: input.quick,
    threads: plan.threads,
    model: plan.modelPath,
    prompts: { source: input.promptSource, lengths },
    protocol: {
      statistic: 'median',
      warmups: plan.repetitions.warmups,
      repeats: plan.repetitions.repeats,
      ttft: 'prefill of the prompt + sampling of the first token, from an empty cache',
      decode: { promptTokens: plan.decodePromptTokens, steps: plan.decodeSteps, sampling: 'greedy, EOS ignored', tokensPerSec: 'decode steps / decode time, first token excluded' },
      peakRss: {
        promptTokens: plan.peakRssPromptTokens,
        decodeSteps: plan.peakRssDecodeSteps,
        how: 'fresh process per engine serving this one request: ours = its getrusage maxRSS, llama.cpp = its worker /proc VmHWM',
        oursCapBytes: plan.rssCapBytes,
      },
    },
    machine: { ...input.machine, llamaCppRelease: input.llamaCppInfo.llamaCppRelease, nodeLlamaCppBuildType: input.llamaCppInfo.nodeLlamaCppBuildType },
    llamaCpp: { ...engineJson(reference.figures, reference.summary), info: input.llamaCppInfo },
    ours: engineJson(ours.figures, ours.summary),
    ratiosOursToLlamaCpp: {
      ttft: Object.fromEntries(lengths.map((n) => [n, ratio(ours.summary.ttftMs.get(n) ?? null, reference.summary.ttftMs.get(n) ?? null)])),
      decodeTokensPerSec: ratio(ours.summary.decodeTokensPerSec, reference.summary.decodeTokensPerSec),
      peakRss: ratio(ours.summary.peakRssBytes, reference.summary.peakRssBytes),
    },
    targets: input.checks,
    allTargetsMet: input.checks.every((c) => c.met),
  };
}

function engineJson(figures: EngineFigures, summary: EngineSummary) {
  return {
    ttftMedianMs: Object.fromEntries(summary.ttftMs),
    decodeTokensPerSec: summary.decodeTokensPerSec,
    peakRssBytes: summary.peakRssBytes,
    runs: Object.fromEntries([...figures.series].map(([n, s]) => [n, outcomeJson(s)])),
    failures: failureNotes(figures),
  };
}

function outcomeJson<T>(o: Outcome<T>): T | { error: string } {
  return o.ok ? o.value : { error: o.error };
}
