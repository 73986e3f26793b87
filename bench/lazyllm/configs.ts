import { defaultLazySchedule, NO_PRUNING, PruningSchedule } from '../../libs/engine/src';
import { dropCount } from '../../libs/engine/src/pruning/token-selection';

export type ConfigFamily = 'no-drop' | 'lazy' | 'random' | 'static';

/** One way of running the model: its id is derived from its content, so cached results follow the schedule, not a name. */
export interface BenchConfig {
  readonly id: string;
  readonly family: ConfigFamily;
  readonly schedule: PruningSchedule;
}

/** The seed of the random-drop baseline: one fixed draw per (question, step, layer). */
export const RANDOM_SEED = 1;

/**
 * LazyLLM schedules swept at 40 documents (SmolLM2-135M has 30 layers), from mild to aggressive.
 * All are progressive, pruning more at later layers, which the paper found less sensitive. The first
 * is the 'batch' schedule (libs/engine/src/pruning/named-schedules.ts) on 30 layers.
 */
export const SWEEP_SCHEDULES: readonly PruningSchedule[] = [
  { layers: [16, 20, 24], percentiles: [50, 50, 50] },
  { layers: [10, 20], percentiles: [40, 50] },
  { layers: [8, 16, 24], percentiles: [30, 50, 50] },
  { layers: [6, 12, 18, 24], percentiles: [30, 50, 50, 50] },
  { layers: [4, 8, 16, 24], percentiles: [40, 50, 50, 50] },
  { layers: [3, 6, 12, 20], percentiles: [50, 50, 60, 60] },
];

/** Sweep points the two baselines are matched against (compute share): the default and the two next to it. */
export const BASELINE_MATCHES = 3;

export function configOf(schedule: PruningSchedule): BenchConfig {
  if (schedule.layers.length === 0) return { id: 'no-drop', family: 'no-drop', schedule: NO_PRUNING };
  const selection = schedule.selection ?? { kind: 'lazy' };
  const body = schedule.layers.map((l, j) => `${l}:${schedule.percentiles[j]}`).join(',');
  const seed = selection.kind === 'random' ? `#${selection.seed}` : '';
  return { id: `${selection.kind}[${body}]${seed}`, family: selection.kind, schedule };
}

export const NO_DROP = configOf(NO_PRUNING);

/** The engine's default schedule for the model's depth. */
export function defaultConfig(layerCount: number): BenchConfig {
  return configOf(defaultLazySchedule(layerCount));
}

/**
 * Share of (token, layer) pairs a prefill of n tokens computes under a schedule: the drop counts depend
 * only on how many tokens are alive, never on which, so this is exact for every policy.
 */
export function prefillShare(schedule: PruningSchedule, n: number, layerCount: number): number {
  let alive = n;
  let pairs = 0;
  for (let l = 0; l < layerCount; l++) {
    const j = schedule.layers.indexOf(l);
    if (j >= 0) alive -= dropCount(schedule.percentiles[j], alive);
    pairs += alive;
  }
  return pairs / (n * layerCount);
}

/** Random drop at exactly the lazy schedule's counts: the same compute by construction. */
export function randomMatching(lazy: PruningSchedule): BenchConfig {
  return configOf({ layers: lazy.layers, percentiles: lazy.percentiles, selection: { kind: 'random', seed: RANDOM_SEED } });
}

/**
 * Static pruning once after layer 0 (the scoring pass), with the percentile (to 0.1) whose prefill
 * share is closest to the lazy schedule's at `promptTokens`: matched compute.
 */
export function staticMatching(lazy: PruningSchedule, promptTokens: number, layerCount: number): BenchConfig {
  const target = prefillShare(lazy, promptTokens, layerCount);
  let best = 0;
  for (let tenths = 0; tenths < 1000; tenths++) {
    const p = tenths / 10;
    const gap = (s: number) => Math.abs(prefillShare({ layers: [1], percentiles: [s] }, promptTokens, layerCount) - target);
    if (gap(p) < gap(best)) best = p;
  }
  return configOf({ layers: [1], percentiles: [best], selection: { kind: 'static' } });
}
