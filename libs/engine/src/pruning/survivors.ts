import { PruningSchedule, selectionOf } from './pruning-schedule';
import { stepRandom } from './step-random';
import { selectByPercentile, selectRandomly } from './token-selection';

/** What a pruning layer knows when it decides: the step, the candidates (S(l-1)) and their scores. */
export interface PruningDecision {
  readonly layer: number;
  readonly percentile: number;
  /** Tokens alive at the previous layer, ascending. */
  readonly candidates: Int32Array;
  /** Importance of each candidate, aligned with `candidates`: the last token's attention at layer-1. */
  readonly importance: Float32Array;
  /** The step's last token, never dropped. */
  readonly lastToken: number;
  /** Index of the step's first new token: 0 in the prefill. */
  readonly firstNew: number;
  /** depth[t] before this layer runs: token t has KV at the layers below it. */
  readonly depth: readonly number[];
}

/** The single place a pruning decision is made: S(l) ⊆ S(l-1) by the schedule's selection policy. */
export function chooseSurvivors(schedule: PruningSchedule, d: PruningDecision): Int32Array {
  const policy = selectionOf(schedule);
  switch (policy.kind) {
    case 'lazy':
      return selectByPercentile(d.candidates, d.importance, d.percentile, d.lastToken);
    case 'random':
      return selectRandomly(d.candidates, d.percentile, d.lastToken, stepRandom(policy.seed, d.lastToken + 1, d.layer));
    case 'static':
      if (d.firstNew === 0) return selectByPercentile(d.candidates, d.importance, d.percentile, d.lastToken);
      // The prefill's decision stands: old tokens go on only where they already have KV (those it kept).
      return d.candidates.filter((t) => t >= d.firstNew || d.depth[t] > d.layer);
  }
}
