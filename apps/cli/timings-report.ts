import type { FinishReason, GenerationTimings } from '@lazyllm/engine';

export interface TimingsReport {
  readonly loadMs: number;
  readonly promptTokens: number;
  /** From the prompt text to the first generated token: templating, tokenizing, prefill, sampling. */
  readonly ttftMs: number;
  readonly generatedTokens: number;
  readonly timings: GenerationTimings;
  readonly finishReason: FinishReason | undefined;
}

/** One line, e.g. "load 812 ms | prompt 9 tokens | TTFT 95 ms | generated 31 tokens | decode 48.2 tokens/s | finish: stop". */
export function formatTimings(r: TimingsReport): string {
  const { decodeMs, decodeSteps } = r.timings;
  // The first token comes from prefill; the rate counts decode steps only.
  const decodeRate = decodeSteps > 0 ? `${((decodeSteps * 1000) / decodeMs).toFixed(1)} tokens/s` : 'no steps';
  return [
    `load ${Math.round(r.loadMs)} ms`,
    `prompt ${r.promptTokens} tokens`,
    `TTFT ${Math.round(r.ttftMs)} ms`,
    `generated ${r.generatedTokens} tokens`,
    `decode ${decodeRate}`,
    `finish: ${r.finishReason ?? 'unfinished'}`,
  ].join(' | ');
}
