import { median } from '../lib/stats';
import type { BenchPlan, EngineFigures } from './plan';

/** One engine's headline figures; null where the measurement failed. */
export interface EngineSummary {
  /** Median TTFT by prompt length. */
  readonly ttftMs: ReadonlyMap<number, number | null>;
  /** Median over runs of decode steps per second (the first token, part of TTFT, excluded). */
  readonly decodeTokensPerSec: number | null;
  readonly peakRssBytes: number | null;
}

export function summarize(figures: EngineFigures, plan: BenchPlan): EngineSummary {
  const ttftMs = new Map([...figures.series].map(([n, s]) => [n, s.ok ? median(s.value.map((r) => r.ttftMs)) : null]));
  const decode = figures.series.get(plan.decodePromptTokens);
  return {
    ttftMs,
    decodeTokensPerSec: decode?.ok ? median(decode.value.map((r) => r.decodeSteps / (r.decodeMs / 1000))) : null,
    peakRssBytes: figures.peakRssBytes.ok ? figures.peakRssBytes.value : null,
  };
}

/** ours / reference, when both were measured. */
export function ratio(ours: number | null, reference: number | null): number | null {
  return ours === null || reference === null ? null : ours / reference;
}

/** Why figures are missing, one line per failed measurement. */
export function failureNotes(figures: EngineFigures): string[] {
  const notes = [...figures.series].flatMap(([n, s]) => (s.ok ? [] : [`${n}-token prompt: ${s.error}`]));
  if (!figures.peakRssBytes.ok) notes.push(`peak RSS: ${figures.peakRssBytes.error}`);
  return notes;
}
