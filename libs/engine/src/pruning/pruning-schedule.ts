import { LAZY_SELECTION, SelectionPolicy } from './selection-policy';

// The pruning folder's public face: the engine's index exports this module.
export { batchLazySchedule, defaultLazySchedule } from './named-schedules';
export { LAZY_SELECTION } from './selection-policy';
export type { SelectionPolicy } from './selection-policy';

/**
 * Which layers prune and how much: at layer `layers[j]` the tokens whose importance (measured at the
 * layer before) falls below the `percentiles[j]`-th percentile are dropped for the rest of the step.
 * `selection` picks the policy (LazyLLM unless a baseline is asked for).
 */
export interface PruningSchedule {
  readonly layers: readonly number[];
  readonly percentiles: readonly number[];
  readonly selection?: SelectionPolicy;
}

export const NO_PRUNING: PruningSchedule = { layers: [], percentiles: [] };

export class ScheduleError extends Error {
  constructor(message: string) {
    super(`invalid pruning schedule: ${message}`);
    this.name = 'ScheduleError';
  }
}

/** Pruning layers must lie in 1..L-1 (layer 0 has no previous layer to score with), strictly increasing. */
export function validateSchedule(s: PruningSchedule, layerCount: number): PruningSchedule {
  if (s.layers.length !== s.percentiles.length) {
    throw new ScheduleError(`${s.layers.length} layers but ${s.percentiles.length} percentiles`);
  }
  s.layers.forEach((l, j) => {
    if (!Number.isInteger(l) || l < 1 || l >= layerCount) throw new ScheduleError(`layer ${l} is outside 1..${layerCount - 1}`);
    if (j > 0 && l <= s.layers[j - 1]) throw new ScheduleError(`layers must be strictly increasing (${s.layers[j - 1]} then ${l})`);
  });
  s.percentiles.forEach((p) => {
    if (!Number.isFinite(p) || p < 0 || p >= 100) throw new ScheduleError(`percentile ${p} is outside [0, 100)`);
  });
  validateSelection(selectionOf(s), s.layers.length);
  return s;
}

export function selectionOf(s: PruningSchedule): SelectionPolicy {
  return s.selection ?? LAZY_SELECTION;
}

function validateSelection(policy: SelectionPolicy, pruningLayers: number): void {
  switch (policy.kind) {
    case 'lazy':
      return;
    case 'random':
      if (!Number.isInteger(policy.seed) || policy.seed < 0 || policy.seed > 0xffffffff) throw new ScheduleError(`random selection seed ${policy.seed} is not a 32-bit unsigned integer`);
      return;
    case 'static':
      // Pruning "at once": a second layer would be a progressive schedule, LazyLLM's own idea.
      if (pruningLayers !== 1) throw new ScheduleError(`static selection prunes once, at one layer (${pruningLayers} given)`);
      return;
    default:
      throw new ScheduleError(`unknown selection policy ${JSON.stringify((policy as { kind: unknown }).kind)}`);
  }
}

export function percentileAt(s: PruningSchedule, layer: number): number | undefined {
  const j = s.layers.indexOf(layer);
  return j < 0 ? undefined : s.percentiles[j];
}
